#include "analysis/phrase_matcher.h"

namespace ct {

void PhraseMatcher::Add(std::vector<std::string> words, int kind, int payload, std::string term) {
  if (words.empty()) return;
  first_prefixes_.set(Prefix(words.front()));
  auto& bucket = by_first_[words.front()];
  for (const Entry& e : bucket) {
    if (e.words == words && e.kind == kind && e.payload == payload) return;  // e.g. EN == FR
  }
  bucket.push_back({std::move(words), kind, payload, std::move(term)});
}

void PhraseMatcher::FindAll(const std::vector<std::string_view>& words,
                            std::vector<Match>* out) const {
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (!first_prefixes_.test(Prefix(words[i]))) continue;
    const std::vector<Entry>* bucket = by_first_.Find(words[i]);
    if (bucket == nullptr) continue;
    for (const Entry& e : *bucket) {
      if (i + e.words.size() > words.size()) continue;
      bool match = true;
      for (std::size_t k = 1; k < e.words.size() && match; ++k) match = words[i + k] == e.words[k];
      if (match) out->push_back({e.kind, e.payload, i, i + e.words.size() - 1, &e.term});
    }
  }
}

}  // namespace ct
