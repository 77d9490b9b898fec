// Stemmer: a Snowball stemmer (libstemmer) for one language, RAII over sb_stemmer.
// Not thread-safe (libstemmer keeps state per instance): use one per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

struct sb_stemmer;

namespace ct {

class Stemmer {
 public:
  // `algorithm` is a libstemmer name: "english", "french"...
  static Result<Stemmer> Create(const std::string& algorithm);

  // Stem of a lower-case UTF-8 word.
  std::string Stem(std::string_view word) const;

 private:
  struct Deleter {
    void operator()(sb_stemmer* s) const;
  };
  explicit Stemmer(sb_stemmer* s) : stemmer_(s) {}
  std::unique_ptr<sb_stemmer, Deleter> stemmer_;
};

}  // namespace ct
