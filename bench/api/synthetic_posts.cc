// bench_synthetic_posts: writes N SYNTHETIC posts as JSON lines in the import format
// (`complaints import`), for benchmarks only. Every post is marked: external_id "syn-<seed>-<n>",
// metadata {"synthetic":true,...}, and its text comes from templates (bench/api/synthetic_text.cc).
//
//   bench_synthetic_posts --count 1000000 --seed 42 > posts.jsonl
//
// The mix: ~60% EN / 40% FR, nine sources, ~35% complaints, content of 100..1500 bytes, dates
// over the two years before --end with a weekly rhythm, office hours, slow growth and a few
// outage spikes. The same --count/--seed/--end give the same bytes on every run and machine.
// A summary goes to stderr.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "bench/api/synthetic_text.h"
#include "core/time_format.h"
#include "domain/post.h"
#include "domain/post_json.h"
#include "domain/post_normalize.h"

namespace ct::bench {
namespace {

struct Options {
  std::int64_t count = 1000;
  std::uint64_t seed = 42;
  std::string end = "2026-11-01";  // exclusive; the dates cover the 730 days before it
};

struct SourceMix {
  std::string_view name;
  double weight_en;
  double weight_fr;
  double complaint_rate;
};

// Weights per language and complaint rates per source; together ~35% complaints.
constexpr SourceMix kSources[] = {
    {"reddit", 25, 10, 0.36},     {"hackernews", 14, 2, 0.22}, {"stackexchange", 12, 3, 0.25},
    {"github", 10, 2, 0.33},      {"mastodon", 8, 15, 0.36},   {"discourse", 5, 25, 0.40},
    {"google_news", 7, 10, 0.16}, {"trustpilot", 14, 25, 0.58}, {"rss", 5, 8, 0.12},
};

// Relative frequency of each product (kProductCount, in ProductId order).
constexpr double kProductWeights[kProductCount] = {14, 12, 12, 14, 7, 8, 5, 5, 5, 9, 6, 3};

// Post volume by UTC hour: quiet nights, a European working-day plateau.
constexpr double kHourWeights[24] = {2,  1.5, 1,  1,  1.2, 2,  4,  6,  8,  9,  9,  8,
                                     8,  9,   9,  9,  8,   7,  6,  6,  5,  4,  3,  2.5};

constexpr std::string_view kEnCountries[] = {"GB", "US", "DE", "ES", "PL", "IE", "CA", "NL", "IT",
                                              "AU"};
constexpr std::string_view kFrCountries[] = {"FR", "FR", "FR", "FR", "FR", "FR", "BE", "CH", "CA",
                                             "MA"};

template <typename T, std::size_t N>
std::size_t PickWeighted(Rng& rng, const std::array<T, N>& weights) {
  double total = 0;
  for (double w : weights) total += w;
  double r = rng.Unit() * total;
  for (std::size_t i = 0; i < N; ++i) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return N - 1;
}

std::size_t PickWeighted(Rng& rng, const double* weights, std::size_t n) {
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) total += weights[i];
  double r = rng.Unit() * total;
  for (std::size_t i = 0; i < n; ++i) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return n - 1;
}

double Round3(double v) { return static_cast<double>(static_cast<long long>(v * 1000)) / 1000; }

std::string Base36(std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string s;
  do {
    s.insert(s.begin(), kDigits[v % 36]);
    v /= 36;
  } while (v != 0);
  return s;
}

class Generator {
 public:
  explicit Generator(const Options& o) : o_(o), rng_(o.seed) {
    auto end = ParseIso8601(o.end);
    if (!end.ok()) throw CLI::ValidationError("--end", end.status().message());
    end_day_ = *end / 86400;
    start_day_ = end_day_ - kDays;
    // Outage spikes: a handful of incident days, fixed by the seed.
    Rng incidents(o.seed ^ 0x5eedf00dULL);
    for (auto& [day, hour] : incidents_) {
      day = start_day_ + incidents.Between(0, kDays - 1);
      hour = incidents.Between(5, 18);
    }
    for (std::size_t i = 0; i < std::size(kSources); ++i) {
      weights_en_[i] = kSources[i].weight_en;
      weights_fr_[i] = kSources[i].weight_fr;
    }
  }

  void Write(std::FILE* out) {
    std::string buf;
    buf.reserve(1 << 21);
    Post p;
    for (std::int64_t n = 0; n < o_.count; ++n) {
      Make(n, p);
      AppendPostJson(p, buf);
      buf += '\n';
      if (buf.size() > (1 << 20)) Flush(buf, out);
    }
    Flush(buf, out);
  }

  void PrintSummary(std::FILE* err) const {
    auto pct = [&](std::int64_t v) { return o_.count ? 100.0 * v / o_.count : 0.0; };
    std::fprintf(err,
                 "bench_synthetic_posts: %lld synthetic posts (seed %llu, %s..%s): FR %.1f%%, "
                 "complaints %.1f%%, mean content %.0f bytes, %lld text retries\n",
                 static_cast<long long>(o_.count), static_cast<unsigned long long>(o_.seed),
                 FormatIso8601(start_day_ * 86400).substr(0, 10).c_str(),
                 FormatIso8601(end_day_ * 86400).substr(0, 10).c_str(), pct(fr_), pct(complaints_),
                 o_.count ? static_cast<double>(content_bytes_) / o_.count : 0.0,
                 static_cast<long long>(retries_));
    std::fprintf(err, "  by source:");
    for (std::size_t i = 0; i < std::size(kSources); ++i)
      std::fprintf(err, " %s %.1f%%", std::string(kSources[i].name).c_str(), pct(by_source_[i]));
    std::fprintf(err, "\n");
  }

 private:
  static constexpr std::int64_t kDays = 730;

  static void Flush(std::string& buf, std::FILE* out) {
    if (std::fwrite(buf.data(), 1, buf.size(), out) != buf.size()) {
      std::perror("bench_synthetic_posts: write");
      std::exit(1);
    }
    buf.clear();
  }

  UnixSeconds PickTime(bool outage) {
    if (outage && rng_.Chance(0.25)) {
      const auto& [day, hour] = incidents_[rng_.Below(incidents_.size())];
      const std::int64_t after = static_cast<std::int64_t>(rng_.Unit() * rng_.Unit() * 10 * 3600);
      return day * 86400 + hour * 3600 + after;
    }
    for (;;) {
      const std::int64_t offset = rng_.Between(0, kDays - 1);
      const std::int64_t day = start_day_ + offset;
      const std::int64_t dow = (day + 3) % 7;  // 0 = Monday (1970-01-01 was a Thursday)
      double accept = dow == 5 ? 0.55 : dow == 6 ? 0.5 : 1.0;
      accept *= 0.67 + 0.33 * static_cast<double>(offset) / kDays;  // slow growth
      if (!rng_.Chance(accept)) continue;
      const std::int64_t hour = static_cast<std::int64_t>(PickWeighted(rng_, kHourWeights, 24));
      return day * 86400 + hour * 3600 + rng_.Between(0, 3599);
    }
  }

  void Make(std::int64_t n, Post& p) {
    p = Post();
    const bool fr = rng_.Chance(0.4);
    const Lang lang = fr ? Lang::kFr : Lang::kEn;
    const std::size_t si = PickWeighted(rng_, fr ? weights_fr_ : weights_en_);
    const SourceMix& src = kSources[si];
    const bool complaint = rng_.Chance(src.complaint_rate);
    const int product = static_cast<int>(PickWeighted(rng_, kProductWeights, kProductCount));
    const auto cats = ComplaintCategories(product);
    const std::string_view category = complaint ? cats[rng_.Below(cats.size())] : "";
    const Tone tone = complaint ? Tone::kComplaint
                      : rng_.Chance(0.4) ? Tone::kPositive
                                         : Tone::kNeutral;
    ++by_source_[si];
    fr_ += fr;
    complaints_ += complaint;

    p.source = src.name;
    p.external_id = "syn-" + std::to_string(o_.seed) + "-" + std::to_string(n);
    p.language = fr ? "fr" : "en";

    // Text: retried until its normalised form is new, so the store's content-hash dedup keeps
    // every post.
    TextSpec spec;
    spec.lang = lang;
    spec.product = product;
    spec.tone = tone;
    spec.category = category;
    spec.source = src.name;
    const double u = rng_.Unit();
    spec.target_length = 100 + static_cast<int>(1400 * u * u);
    for (;;) {
      p.title.clear();
      p.content.clear();
      GenerateText(spec, rng_, p.title, p.content);
      const std::size_t h = std::hash<std::string>()(NormalizeContent(p.title) + '\n' +
                                                     NormalizeContent(p.content));
      if (seen_.insert(h).second) break;
      ++retries_;
      spec.target_length += 60;
    }
    content_bytes_ += static_cast<std::int64_t>(p.content.size());

    GenerateAuthor(src.name, lang, rng_, p.author);
    p.created_at = PickTime(category == "outage");
    p.collected_at = p.created_at + rng_.Between(60, 3 * 86400);

    // Analysis fields, consistent with the tone.
    double s = 0;
    if (tone == Tone::kComplaint) s = rng_.Chance(0.9) ? -0.25 - 0.7 * rng_.Unit() : -0.05 + 0.1 * rng_.Unit();
    else if (tone == Tone::kPositive) s = 0.2 + 0.75 * rng_.Unit();
    else s = -0.35 + 0.6 * rng_.Unit();
    p.sentiment_score = Round3(s);
    p.sentiment_label = p.sentiment_score < -0.05  ? "negative"
                        : p.sentiment_score > 0.05 ? "positive"
                                                   : "neutral";
    p.is_complaint = complaint;
    p.complaint_score = Round3(complaint ? 0.5 + 0.5 * rng_.Unit() : 0.45 * rng_.Unit());
    if (!rng_.Chance(0.08)) p.product = std::string(ProductId(product));
    if (!rng_.Chance(fr ? 0.15 : 0.35)) {
      p.country = std::string(fr ? kFrCountries[rng_.Below(std::size(kFrCountries))]
                                 : kEnCountries[rng_.Below(std::size(kEnCountries))]);
    }
    p.relevance_score = Round3(rng_.Chance(0.9) ? 0.55 + 0.45 * rng_.Unit() : 0.1 + 0.4 * rng_.Unit());

    std::string meta = "{\"synthetic\":true,\"seed\":" + std::to_string(o_.seed);
    const std::uint64_t num = 10000000ULL + o_.seed % 1000 * 100000000ULL + static_cast<std::uint64_t>(n);
    const std::string slug = Base36(num);
    if (src.name == "reddit") {
      const char* sub = fr ? (rng_.Chance(0.5) ? "france" : "ovh") : (rng_.Chance(0.6) ? "ovh" : "selfhosted");
      p.url = "https://www.reddit.com/r/" + std::string(sub) + "/comments/" + slug;
      meta += ",\"subreddit\":\"" + std::string(sub) + "\"";
      p.engagement.score = rng_.Between(-5, 400);
      p.engagement.likes = std::max<std::int64_t>(0, p.engagement.score);
      p.engagement.comments = rng_.Between(0, 150);
    } else if (src.name == "hackernews") {
      p.url = "https://news.ycombinator.com/item?id=" + std::to_string(num);
      p.engagement.score = rng_.Between(1, 600);
      p.engagement.comments = rng_.Between(0, 300);
    } else if (src.name == "stackexchange") {
      const char* site = rng_.Chance(0.6) ? "serverfault.com" : "stackoverflow.com";
      p.url = "https://" + std::string(site) + "/questions/" + std::to_string(num);
      meta += ",\"site\":\"" + std::string(site) + "\",\"tags\":[\"ovh\",\"" +
              std::string(ProductId(product)) + "\"]";
      p.engagement.score = rng_.Between(-3, 60);
      p.engagement.comments = rng_.Between(0, 12);
    } else if (src.name == "github") {
      static constexpr std::string_view kRepos[] = {"terraform-provider-ovh", "python-ovh",
                                                    "node-ovh", "manager", "ovhcloud-cli"};
      p.url = "https://github.com/ovh/" + std::string(kRepos[rng_.Below(std::size(kRepos))]) +
              "/issues/" + std::to_string(num);
      p.engagement.likes = rng_.Between(0, 40);
      p.engagement.comments = rng_.Between(0, 60);
    } else if (src.name == "mastodon") {
      const char* inst = fr ? "mastodon.social" : (rng_.Chance(0.5) ? "mastodon.social" : "fosstodon.org");
      p.url = "https://" + std::string(inst) + "/@" + p.author + "/" + std::to_string(num);
      meta += ",\"instance\":\"" + std::string(inst) + "\"";
      p.engagement.likes = rng_.Between(0, 80);
      p.engagement.score = rng_.Between(0, 30);  // boosts
      p.engagement.comments = rng_.Between(0, 25);
    } else if (src.name == "discourse") {
      p.url = "https://community.ovhcloud.com/t/" + slug + "/" + std::to_string(num);
      meta += ",\"category\":\"" + std::string(ProductId(product)) + "\"";
      p.engagement.likes = rng_.Between(0, 20);
      p.engagement.comments = rng_.Between(0, 40);
    } else if (src.name == "google_news") {
      p.url = "https://news.example.com/" + std::string(fr ? "fr" : "en") + "/articles/" + slug;
      meta += ",\"publisher\":\"" + p.author + "\"";
    } else if (src.name == "trustpilot") {
      p.url = "https://www.trustpilot.com/reviews/syn" + slug;
      int stars = 3;
      if (complaint) stars = rng_.Chance(0.72) ? 1 : 2;
      else if (tone == Tone::kPositive) stars = rng_.Chance(0.7) ? 5 : 4;
      else stars = static_cast<int>(rng_.Between(2, 4));
      p.rating = stars;
      p.engagement.likes = rng_.Between(0, 15);
      if (!p.country.empty()) meta += ",\"reviewer_country\":\"" + p.country + "\"";
    } else {  // rss
      p.url = "https://blog.example.org/" + std::string(fr ? "fr" : "en") + "/" + slug;
      meta += ",\"feed\":\"https://blog.example.org/feed.xml\"";
    }
    meta += '}';
    p.metadata_json = std::move(meta);

    std::string ev = "{";
    if (complaint) ev += "\"complaint\":[\"" + std::string(category) + "\"]";
    if (!p.product.empty()) {
      if (ev.size() > 1) ev += ',';
      ev += "\"product\":[\"" + p.product + "\"]";
    }
    if (ev.size() > 1) ev += ',';
    ev += "\"sentiment\":[\"" + p.sentiment_label + "\"]}";
    p.evidence_json = std::move(ev);

    // Triage: a care team has answered part of the complaints; a few are false positives.
    if (rng_.Chance(complaint ? 0.3 : 0.03)) {
      p.answered = true;
      p.answered_at = p.created_at + rng_.Between(1800, 5 * 86400);
      p.answered_by = "care-team";
      p.answered_method = rng_.Chance(0.7) ? "manual" : "detected";
    }
    p.false_positive = complaint && rng_.Chance(0.02);
  }

  Options o_;
  Rng rng_;
  std::int64_t start_day_ = 0, end_day_ = 0;
  std::array<std::pair<std::int64_t, std::int64_t>, 12> incidents_{};
  std::array<double, std::size(kSources)> weights_en_{}, weights_fr_{};
  std::unordered_set<std::size_t> seen_;
  std::array<std::int64_t, std::size(kSources)> by_source_{};
  std::int64_t fr_ = 0, complaints_ = 0, content_bytes_ = 0, retries_ = 0;
};

}  // namespace
}  // namespace ct::bench

int main(int argc, char** argv) {
  ct::bench::Options o;
  CLI::App app{"Writes SYNTHETIC posts (benchmarks only) as JSON lines for `complaints import`"};
  app.add_option("--count", o.count, "Number of posts")->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--seed", o.seed, "Random seed (same seed, same output)")->capture_default_str();
  app.add_option("--end", o.end, "Exclusive end date (YYYY-MM-DD); posts cover the 730 days before")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    ct::bench::Generator gen(o);
    gen.Write(stdout);
    if (std::fflush(stdout) != 0) {
      std::perror("bench_synthetic_posts: write");
      return 1;
    }
    gen.PrintSummary(stderr);
  } catch (const CLI::Error& e) {
    return app.exit(e);
  }
  return 0;
}
