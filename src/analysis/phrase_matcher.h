// PhraseMatcher: finds multi-word terms in a sequence of normalised words (stems or
// accent-folded words). Matching is on whole words only, so substrings never match.
// Build once, then read-only: FindAll() is thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<Entry>, Hash, std::equal_to<>> by_first_;
};

}  // namespace ct
