// Throughput of the SQLite store on a large database: import rate (posts/s) in batches, then
// latency percentiles of typical /posts pages and /posts/stats from several threads.
//
//   sqlite_store_bench [--db PATH] [--posts N] [--batch B] [--import bulk|batches]
//                      [--threads T] [--queries Q]
//
// Defaults: a fresh file under /tmp, 1,000,000 posts, batches of 1,000 loaded by
// Store::BulkUpsertPosts (`bulk`: one transaction, full text and rollup of the new rows built
// at the end, as `complaints import` does) or by one UpsertPosts transaction per batch
// (`batches`: what scrapes do; indexes maintained row by row), 8 threads, 200 queries of each
// kind per thread (stats kinds: a twentieth of that, at least one). An existing --db is
// reused (import is skipped when it already holds N posts), so the query part can be rerun
// cheaply. Import reports wall-clock and CPU time (the CPU rate is the one to compare on a
// shared machine). Stats run twice: through the store's result cache (repeated requests for
// the same data version) and through a second store on the same file with the cache off
// (every request computed: the first request after each write).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>

#include "core/clock.h"
#include "core/config.h"
#include "store/sqlite/sqlite_store.h"

namespace ct {
namespace {

const char* const kWords[] = {
    "ovh",     "vps",    "server", "down",    "support", "ticket", "billing", "invoice",
    "slow",    "panne",  "serveur", "réseau", "cloud",   "backup", "dns",     "domain",
    "email",   "outage", "refund", "latency", "great",   "thanks", "never",   "again",
    "problem", "bare",   "metal",  "public",  "private", "bucket", "kube",    "gravelines",
    "roubaix", "strasbourg", "beauharnois", "ssl", "certificate", "price", "upgrade", "reboot"};
const char* const kSources[] = {"hackernews", "reddit", "trustpilot", "mastodon", "github",
                                "stackoverflow", "googlenews", "discourse"};
const char* const kProducts[] = {"vps", "domains", "bare-metal", "public-cloud", "web-hosting",
                                 "email", "", ""};
const char* const kCountries[] = {"FR", "DE", "GB", "ES", "IT", "CA", "US", ""};
const char* const kLanguages[] = {"en", "fr", "de", "es", "und"};
const char* const kSentiments[] = {"positive", "neutral", "negative"};

template <std::size_t N>
const char* Pick(std::mt19937_64& rng, const char* const (&a)[N]) {
  return a[rng() % N];
}

// Mostly a skewed draw from 20,000 synthetic words (a realistic vocabulary size for full-text
// indexing), sometimes one of the domain words above.
std::string Word(std::mt19937_64& rng) {
  if (rng() % 4 == 0) return Pick(rng, kWords);
  const std::uint64_t r = rng() % 20'000;
  return "w" + std::to_string(r * r / 20'000);
}

Post MakePost(std::int64_t i, std::mt19937_64& rng) {
  Post p;
  p.source = Pick(rng, kSources);
  p.external_id = std::to_string(i);
  p.url = "https://example.com/" + p.source + "/" + p.external_id;
  for (int w = 0; w < 6; ++w) {
    if (w) p.title += ' ';
    p.title += Word(rng);
  }
  for (int w = 0; w < 30; ++w) {
    if (w) p.content += ' ';
    p.content += Word(rng);
  }
  p.content += " #" + std::to_string(i);  // unique content, so no hash dedup
  p.author = "user" + std::to_string(rng() % 50'000);
  p.created_at = 1'600'000'000 + static_cast<std::int64_t>(rng() % (3 * 365 * 86400));
  p.collected_at = p.created_at + 3600;
  p.language = Pick(rng, kLanguages);
  p.sentiment_label = Pick(rng, kSentiments);
  p.sentiment_score = static_cast<double>(rng() % 2001) / 1000.0 - 1.0;
  p.is_complaint = rng() % 3 == 0;
  p.complaint_score = static_cast<double>(rng() % 1001) / 1000.0;
  p.product = Pick(rng, kProducts);
  p.country = Pick(rng, kCountries);
  p.relevance_score = static_cast<double>(rng() % 1001) / 1000.0;
  p.answered = rng() % 10 == 0;
  p.false_positive = rng() % 50 == 0;
  p.engagement = {static_cast<std::int64_t>(rng() % 100), 0, static_cast<std::int64_t>(rng() % 20)};
  return p;
}

double ProcessCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

int Run(int argc, char** argv) {
  std::string db = "/tmp/ct_sqlite_bench.db";
  std::int64_t posts = 1'000'000;
  int batch = 1'000, threads = 8, queries = 200;
  std::string import_mode = "bulk";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--db") db = v;
    else if (flag == "--posts") posts = std::atoll(v);
    else if (flag == "--batch") batch = std::atoi(v);
    else if (flag == "--threads") threads = std::atoi(v);
    else if (flag == "--queries") queries = std::atoi(v);
    else if (flag == "--import")
      import_mode = v;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (import_mode != "bulk" && import_mode != "batches") {
    std::fprintf(stderr, "--import must be bulk or batches, not %s\n", import_mode.c_str());
    return 2;
  }
  SystemClock clock;
  StoreConfig cfg;
  cfg.pool_size = threads;
  auto opened = OpenSqliteStore(db, cfg, clock);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  Store& store = **opened;
  SqliteStoreOptions uncached_options;
  uncached_options.stats_cache_entries = 0;
  auto uncached_opened = OpenSqliteStore(db, cfg, clock, uncached_options);
  if (!uncached_opened.ok()) {
    std::fprintf(stderr, "%s\n", uncached_opened.status().ToString().c_str());
    return 1;
  }
  Store& uncached = **uncached_opened;
  PostFilter everything;
  everything.false_positive = std::nullopt;
  const std::int64_t existing = store.Stats(everything, StatsBucket::kMonth)->total;

  if (existing < posts) {
    std::mt19937_64 rng(7);
    const auto start = std::chrono::steady_clock::now();
    const double cpu0 = ProcessCpuSeconds();
    UpsertSummary total;
    std::int64_t i = existing;
    auto next_chunk = [&]() -> Result<std::vector<Post>> {
      std::vector<Post> chunk;
      for (int k = 0; k < batch && i < posts; ++k, ++i) chunk.push_back(MakePost(i, rng));
      return chunk;
    };
    if (import_mode == "bulk") {
      auto r = store.BulkUpsertPosts(next_chunk);
      if (!r.ok()) {
        std::fprintf(stderr, "bulk upsert: %s\n", r.status().ToString().c_str());
        return 1;
      }
      total = *r;
    } else {
      for (;;) {
        std::vector<Post> chunk = *next_chunk();
        if (chunk.empty()) break;
        auto r = store.UpsertPosts(chunk);
        if (!r.ok()) {
          std::fprintf(stderr, "upsert: %s\n", r.status().ToString().c_str());
          return 1;
        }
        total += *r;
      }
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = ProcessCpuSeconds() - cpu0;
    std::printf(
        "import (%s): %lld posts in %.1f s = %.0f posts/s; %.1f CPU s = %.0f "
        "posts/CPU-s (inserted %lld, updated %lld, unchanged %lld)\n",
        import_mode.c_str(), static_cast<long long>(posts - existing), secs,
        static_cast<double>(posts - existing) / secs, cpu,
        static_cast<double>(posts - existing) / cpu, static_cast<long long>(total.inserted),
        static_cast<long long>(total.updated), static_cast<long long>(total.unchanged));
  }

  struct Query {
    std::string name;
    std::function<bool(std::mt19937_64&)> run;
  };
  auto page = [&](std::function<void(PostPageRequest&, std::mt19937_64&)> shape) {
    return [&store, shape](std::mt19937_64& rng) {
      PostPageRequest req;
      shape(req, rng);
      return store.ListPosts(req).ok();
    };
  };
  std::vector<Query> kinds = {
      {"posts newest", page([](PostPageRequest&, std::mt19937_64&) {})},
      {"posts product=vps newest", page([](PostPageRequest& r, std::mt19937_64&) {
         r.filter.products = {"vps"};
       })},
      {"posts complaint unanswered", page([](PostPageRequest& r, std::mt19937_64&) {
         r.filter.complaint = true;
         r.filter.answered = false;
       })},
      {"posts relevance", page([](PostPageRequest& r, std::mt19937_64&) {
         r.sort = PostSort::kRelevance;
       })},
      {"posts deep cursor", page([](PostPageRequest& r, std::mt19937_64& rng) {
         r.after = PostCursor{PostSort::kNewest,
                              1'600'000'000 + static_cast<std::int64_t>(rng() % (3 * 365 * 86400)),
                              0, 1};
       })},
      {"posts q=panne serveur", page([](PostPageRequest& r, std::mt19937_64&) {
         r.filter.q = "panne serveur";
       })},
      {"posts q=gravelines product=vps", page([](PostPageRequest& r, std::mt19937_64&) {
         r.filter.q = "gravelines";
         r.filter.products = {"vps"};
       })},
      {"posts q=w19990 (rare word)", page([](PostPageRequest& r, std::mt19937_64&) {
         r.filter.q = "w19990";
       })},
      {"posts q=ovh (common word)", page([](PostPageRequest& r, std::mt19937_64&) {
         r.filter.q = "ovh";
       })},
  };
  // "Last 30 days" as a dashboard sends it: not at midnight.
  const UnixSeconds month_ago = 1'600'000'000 + 3 * 365 * 86400 - 30 * 86400;
  for (Store* s : {&store, &uncached}) {
    const std::string suffix = s == &store ? "" : " uncached";
    kinds.push_back({"stats all (week)" + suffix, [s](std::mt19937_64&) {
                       return s->Stats({}, StatsBucket::kWeek).ok();
                     }});
    kinds.push_back({"stats product=vps (month)" + suffix, [s](std::mt19937_64&) {
                       PostFilter f;
                       f.products = {"vps"};
                       return s->Stats(f, StatsBucket::kMonth).ok();
                     }});
    kinds.push_back({"stats product=vps 30 days" + suffix, [s, month_ago](std::mt19937_64&) {
                       PostFilter f;
                       f.products = {"vps"};
                       f.since = month_ago;
                       return s->Stats(f, StatsBucket::kDay).ok();
                     }});
    kinds.push_back({"stats q=panne 30 days" + suffix, [s, month_ago](std::mt19937_64&) {
                       PostFilter f;
                       f.q = "panne";
                       f.since = month_ago;
                       return s->Stats(f, StatsBucket::kDay).ok();
                     }});
  }
  for (const Query& kind : kinds) {
    const int n = kind.name[0] == 's' ? std::max(1, queries / 20) : queries;
    if (n == 0) continue;
    std::vector<std::vector<double>> lat(threads);
    std::atomic<int> failures{0};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        std::mt19937_64 rng(t);
        for (int k = 0; k < n; ++k) {
          const auto q0 = std::chrono::steady_clock::now();
          if (!kind.run(rng)) ++failures;
          lat[t].push_back(
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - q0)
                  .count());
        }
      });
    }
    for (auto& th : pool) th.join();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<double> all;
    for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    std::printf("%-36s %6zu queries %3d threads  %7.0f q/s  p50 %8.2f ms  p99 %8.2f ms%s\n",
                kind.name.c_str(), all.size(), threads, static_cast<double>(all.size()) / secs,
                Percentile(all, 0.5), Percentile(all, 0.99),
                failures ? "  FAILURES" : "");
  }
  return 0;
}

}  // namespace
}  // namespace ct

int main(int argc, char** argv) { return ct::Run(argc, argv); }
