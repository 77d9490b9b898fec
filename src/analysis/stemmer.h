// Stemmer: a Snowball stemmer (libstemmer) for one language, RAII over sb_stemmer.
// Not thread-safe (libstemmer keeps state per instance): use one per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "analysis/string_table.h"
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

// A Stemmer with a bounded memo of the words it has seen: most posts reuse a few thousand
// words, and a hash lookup is several times cheaper than the Snowball rules.
// Not thread-safe.
class CachedStemmer {
 public:
  explicit CachedStemmer(Stemmer stemmer, std::size_t capacity = 200'000)
      : stemmer_(std::move(stemmer)), capacity_(capacity) {}

  // The reference stays valid until the next MaybeTrim().
  const std::string& Stem(const std::string& word);
  // Empties the memo when it has reached its capacity.
  void MaybeTrim() {
    if (memo_.size() >= capacity_) memo_.Clear();
  }

 private:
  Stemmer stemmer_;
  std::size_t capacity_;
  StringTable<std::string> memo_;
};

}  // namespace ct
