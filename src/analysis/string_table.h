// StringTable<V>: string -> V for the analysis module's hot lookups (the sentiment lexicon, the
// stem memo, the first words of taxonomy phrases). Open addressing over a power-of-two slot
// array with linear probing: a lookup hashes once and masks, where std::unordered_map divides
// by a prime and follows a node pointer (both showed at the top of the analyzer's profile).
// Entries live in a deque and never move, so pointers and references to keys and values stay
// valid until Clear(). Not synchronised; const lookups may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ct {

template <typename V>
class StringTable {
 public:
  const V* Find(std::string_view key) const {
    if (slots_.empty()) return nullptr;
    const std::uint64_t h = Hash(key);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.entry == 0) return nullptr;
      if (s.hash == h) {
        const auto& e = entries_[s.entry - 1];
        if (e.first == key) return &e.second;
      }
    }
  }
  V* Find(std::string_view key) {
    return const_cast<V*>(static_cast<const StringTable&>(*this).Find(key));
  }

  // The value of `key`, inserted as `value` when absent; .second tells whether it was.
  std::pair<V*, bool> Emplace(std::string_view key, V value) {
    if (V* found = Find(key)) return {found, false};
    if ((entries_.size() + 1) * 4 > slots_.size() * 3) Grow();  // load factor <= 3/4
    entries_.emplace_back(std::string(key), std::move(value));
    Place(Hash(key), static_cast<std::uint32_t>(entries_.size()));
    return {&entries_.back().second, true};
  }
  // The value of `key`, value-initialised when absent.
  V& operator[](std::string_view key) { return *Emplace(key, V{}).first; }

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void Clear() {
    entries_.clear();
    slots_.clear();
    mask_ = 0;
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t entry = 0;  // index into entries_ + 1; 0 = empty
  };

  static std::uint64_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

  void Place(std::uint64_t h, std::uint32_t entry) {
    std::size_t i = h & mask_;
    while (slots_[i].entry != 0) i = (i + 1) & mask_;
    slots_[i] = Slot{h, entry};
  }

  void Grow() {
    const std::size_t n = slots_.empty() ? 16 : slots_.size() * 2;
    slots_.assign(n, Slot{});
    mask_ = n - 1;
    for (std::size_t k = 0; k < entries_.size(); ++k) {
      Place(Hash(entries_[k].first), static_cast<std::uint32_t>(k + 1));
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::deque<std::pair<std::string, V>> entries_;
};

}  // namespace ct
