#include "analysis/stemmer.h"

#include <libstemmer.h>

namespace ct {

void Stemmer::Deleter::operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }

Result<Stemmer> Stemmer::Create(const std::string& algorithm) {
  sb_stemmer* s = sb_stemmer_new(algorithm.c_str(), "UTF_8");
  if (s == nullptr) return Status::InvalidArgument("no Snowball stemmer for '" + algorithm + "'");
  return Stemmer(s);
}

std::string Stemmer::Stem(std::string_view word) const {
  const sb_symbol* out = sb_stemmer_stem(stemmer_.get(), reinterpret_cast<const sb_symbol*>(word.data()),
                                         static_cast<int>(word.size()));
  if (out == nullptr) return std::string(word);  // out of memory inside libstemmer
  return std::string(reinterpret_cast<const char*>(out),
                     static_cast<std::size_t>(sb_stemmer_length(stemmer_.get())));
}

const std::string& CachedStemmer::Stem(const std::string& word) {
  if (const std::string* found = memo_.Find(word)) return *found;
  return *memo_.Emplace(word, stemmer_.Stem(word)).first;
}

}  // namespace ct
