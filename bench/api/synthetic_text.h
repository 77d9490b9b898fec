// Synthetic post text for benchmarks only: EN and FR template sentences about OVHcloud
// products, expanded with random details (datacenters, durations, ticket numbers...).
// Nothing here is real customer text. Deterministic for a given Rng state.
// Plain functions over constant tables; thread-compatible (each caller owns its Rng).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ct::bench {

// xoshiro256** seeded by splitmix64: the same sequence on every platform and standard library
// (std::*_distribution is implementation-defined, so it is not used).
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t Next();
  // Uniform in [0, n); n > 0.
  std::uint64_t Below(std::uint64_t n);
  // Uniform in [lo, hi].
  std::int64_t Between(std::int64_t lo, std::int64_t hi);
  // Uniform in [0, 1).
  double Unit();
  bool Chance(double p) { return Unit() < p; }
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }

 private:
  std::uint64_t s_[4];
};

enum class Lang { kEn, kFr };

// Products, as the taxonomy ids (config/taxonomy.toml).
inline constexpr int kProductCount = 12;
std::string_view ProductId(int product);
// The product's topic-level complaint categories (taxonomy ids), e.g. billing -> refund.
std::span<const std::string_view> ComplaintCategories(int product);

enum class Tone { kComplaint, kNeutral, kPositive };

// What a post is about; the text generator fills title and content from it.
struct TextSpec {
  Lang lang = Lang::kEn;
  int product = 0;
  Tone tone = Tone::kNeutral;
  std::string_view category;  // complaint category when tone == kComplaint
  std::string_view source;    // adapts the title style (news headline, review, question...)
  int target_length = 400;    // content length aimed at, in bytes (100..1500)
};

// Appends a title (may be empty: Mastodon posts have none) and content to `title`/`content`.
// Each call draws new random details, so calling again yields a different text.
void GenerateText(const TextSpec& spec, Rng& rng, std::string& title, std::string& content);

// A plausible handle or display name for the source ("news" sources get a publication).
void GenerateAuthor(std::string_view source, Lang lang, Rng& rng, std::string& out);

}  // namespace ct::bench
