// PhraseMatcher: finds multi-word terms in a sequence of normalised words (stems or
// accent-folded words). Matching is on whole words only, so substrings never match.
// Build once, then read-only: FindAll() is thread-safe.
#pragma once

#include <bitset>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/string_table.h"

namespace ct {

class PhraseMatcher {
 public:
  struct Match {
    int kind;            // what Add() was given: which list the phrase came from
    int payload;         // what Add() was given (e.g. a category index)
    std::size_t first;   // word indices, inclusive
    std::size_t last;
    const std::string* term;  // the term as written in the taxonomy
  };

  // `words` must be non-empty and normalised the same way as the text will be.
  void Add(std::vector<std::string> words, int kind, int payload, std::string term);
  // Every occurrence of every phrase, in text order.
  void FindAll(const std::vector<std::string_view>& words, std::vector<Match>* out) const;
  bool empty() const { return by_first_.empty(); }

 private:
  struct Entry {
    std::vector<std::string> words;
    int kind;
    int payload;
    std::string term;
  };
  // The first two bytes of every phrase's first word ("a\0" for a one-byte word): most words
  // of a text start no phrase, and this rejects them without hashing them.
  static std::size_t Prefix(std::string_view w) {
    if (w.empty()) return 0;
    const auto b0 = static_cast<unsigned char>(w[0]);
    const auto b1 = w.size() > 1 ? static_cast<unsigned char>(w[1]) : 0u;
    return b0 << 8 | b1;
  }
  StringTable<std::vector<Entry>> by_first_;
  std::bitset<65536> first_prefixes_;
};

}  // namespace ct
