// SentimentLexicon: term -> valence on VADER's scale (about -4 .. +4).
// Built once at start from the embedded lexicon files, then read-only: concurrent Find() calls
// are safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "analysis/string_table.h"
#include "core/status.h"

namespace ct {

class SentimentLexicon {
 public:
  // A later Set() of the same term replaces the earlier one (as the reference does when a
  // term appears twice in vader_lexicon.txt).
  void Set(std::string term, double valence) { map_[term] = valence; }
  // nullptr when the term is absent.
  const double* Find(std::string_view term) const { return map_.Find(term); }
  bool Contains(std::string_view term) const { return map_.Find(term) != nullptr; }
  std::size_t size() const { return map_.size(); }

  // vader_lexicon.txt: "term<TAB>mean<TAB>stddev<TAB>[ratings]" per line.
  static Result<SentimentLexicon> ParseVader(std::string_view tsv);

 private:
  StringTable<double> map_;
};

}  // namespace ct
