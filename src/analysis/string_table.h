// StringTable<V>: string -> V for the analysis module's hot lookups (the sentiment lexicon, the
// stem memo, the first words of taxonomy phrases). Open addressing over a power-of-two slot
// array with linear probing: a lookup hashes once and masks, where std::unordered_map divides
// by a prime and follows a node pointer (both showed at the top of the analyzer's profile).
// Entries live in a deque and never move, so pointers and references to keys and values stay
// valid until Clear(). Not synchronised; const lookups may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ct {

template <typename V>
class StringTable {
 public:
  StringTable() = default;
  // Slots point into the entries: moving keeps them (a deque's elements stay put), copying
  // would not.
  StringTable(const StringTable&) = delete;
  StringTable& operator=(const StringTable&) = delete;
  StringTable(StringTable&&) noexcept = default;
  StringTable& operator=(StringTable&&) noexcept = default;

  const V* Find(std::string_view key) const {
    if (slots_.empty()) return nullptr;
    const std::uint64_t h = Hash(key);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.entry == nullptr) return nullptr;
      if (s.hash == h && s.entry->first == key) return &s.entry->second;
    }
  }
  V* Find(std::string_view key) {
    return const_cast<V*>(static_cast<const StringTable&>(*this).Find(key));
  }

  // The value of `key`, inserted as `value` when absent; .second tells whether it was.
  std::pair<V*, bool> Emplace(std::string_view key, V value) {
    if (V* found = Find(key)) return {found, false};
    if ((entries_.size() + 1) * 2 > slots_.size()) Grow();  // load <= 1/2: short probes on misses
    entries_.emplace_back(std::string(key), std::move(value));
    Place(Hash(key), &entries_.back());
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
  using Entry = std::pair<std::string, V>;
  struct Slot {
    std::uint64_t hash = 0;
    const Entry* entry = nullptr;  // into entries_ (stable); null = empty
  };

  // Keys are short words: 8 bytes at a time, multiply and xor-shift (splitmix64's finaliser),
  // inlined; the low bits are well mixed for the mask.
  static std::uint64_t Hash(std::string_view key) {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ key.size();
    std::size_t i = 0;
    for (; i + 8 <= key.size(); i += 8) {
      std::uint64_t chunk;
      std::memcpy(&chunk, key.data() + i, 8);
      h = Mix(h ^ chunk);
    }
    if (i < key.size()) {
      std::uint64_t chunk = 0;
      std::memcpy(&chunk, key.data() + i, key.size() - i);
      h = Mix(h ^ chunk);
    }
    return h;
  }
  static std::uint64_t Mix(std::uint64_t x) {
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
  }

  void Place(std::uint64_t h, const Entry* entry) {
    std::size_t i = h & mask_;
    while (slots_[i].entry != nullptr) i = (i + 1) & mask_;
    slots_[i] = Slot{h, entry};
  }

  void Grow() {
    const std::size_t n = slots_.empty() ? 16 : slots_.size() * 2;
    slots_.assign(n, Slot{});
    mask_ = n - 1;
    for (const Entry& e : entries_) Place(Hash(e.first), &e);
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::deque<Entry> entries_;
};

}  // namespace ct
