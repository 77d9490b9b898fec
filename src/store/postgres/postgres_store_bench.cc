// Bulk import throughput of the PostgreSQL store: N posts (default 1,000,000) upserted in
// batches (default 1,000), then the same first batch again (all unchanged), then the read
// latencies the API needs (p50/p99 of each page and stats kind the dashboard asks for).
//
//   postgres_store_bench [--url postgresql://...] [--posts N] [--batch B] [--reads-only 1]
//                        [--repeat R] [--skip-reads 1] [--stats-cache ENTRIES]
//
// --stats-cache 0 turns the stats cache off (every Stats call aggregates; the default keeps
// results per data version, as the API's store does).
// Without --url it starts a throw-away server (tests/support/pg_server.h). --reads-only skips
// the import (for a database loaded by an earlier run with the same --posts).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "store/postgres/postgres_store.h"
#include "support/pg_server.h"

namespace {

ct::Post MakePost(int i) {
  static const char* kWords[] = {"outage", "vps",     "billing", "support", "slow",   "down",
                                 "ticket", "refund",  "network", "latency", "server", "great",
                                 "panne",  "serveur", "facture", "lent",    "merci",  "dns"};
  ct::Post p;
  p.source = i % 3 == 0 ? "trustpilot" : (i % 3 == 1 ? "reddit" : "hackernews");
  p.external_id = std::to_string(i);
  p.url = "https://example.com/" + p.source + "/" + std::to_string(i);
  p.title = std::string("Post ") + kWords[i % 18] + " " + std::to_string(i);
  for (int w = 0; w < 40; ++w) {
    p.content += kWords[(i * 7 + w * 13) % 18];
    p.content += ' ';
  }
  p.content += std::to_string(i);
  p.author = "user" + std::to_string(i % 5000);
  p.created_at = 1'600'000'000 + static_cast<std::int64_t>(i) * 37;
  p.collected_at = 1'700'000'000;
  p.language = i % 4 == 0 ? "fr" : "en";
  p.sentiment_score = ((i % 200) - 100) / 100.0;
  p.sentiment_label = i % 3 == 0 ? "negative" : (i % 3 == 1 ? "neutral" : "positive");
  p.is_complaint = i % 3 == 0;
  p.complaint_score = (i % 10) / 10.0;
  p.product = i % 5 == 0 ? "vps" : "";
  p.country = i % 7 == 0 ? "FR" : "";
  p.relevance_score = (i % 1000) / 1000.0;
  p.engagement = {i % 50, i % 20, i % 9};
  p.evidence_json = R"({"complaint":["down","slow"]})";
  return p;
}

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Runs `call` `repeat` times and prints p50/p99/max in milliseconds. `call` returns false on
// failure, which is reported (and fails the bench).
template <typename Fn>
bool Measure(const char* name, int repeat, Fn call) {
  std::vector<double> ms;
  std::string detail;
  for (int i = 0; i < repeat; ++i) {
    const auto t = std::chrono::steady_clock::now();
    if (!call(detail)) {
      std::printf("%-40s FAILED: %s\n", name, detail.c_str());
      return false;
    }
    ms.push_back(Since(t) * 1000);
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  std::printf("%-40s p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  (%d runs; %s)\n", name, at(0.5),
              at(0.99), ms.back(), repeat, detail.c_str());
  std::fflush(stdout);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int posts = 1'000'000;
  int batch_size = 1'000;
  bool reads_only = false;
  bool skip_reads = false;
  int repeat = 200;
  ct::PostgresStoreOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--url") == 0) url = argv[i + 1];
    if (std::strcmp(argv[i], "--posts") == 0) posts = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--batch") == 0) batch_size = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--reads-only") == 0) reads_only = std::atoi(argv[i + 1]) != 0;
    if (std::strcmp(argv[i], "--skip-reads") == 0) skip_reads = std::atoi(argv[i + 1]) != 0;
    if (std::strcmp(argv[i], "--stats-cache") == 0)
      options.stats_cache_entries = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::max(1, std::atoi(argv[i + 1]));
  }
  std::unique_ptr<ct::testing::PgServer> server;
  if (url.empty()) {
    auto started = ct::testing::PgServer::Start();
    if (!started.ok()) {
      std::fprintf(stderr, "%s\n", started.status().ToString().c_str());
      return 1;
    }
    server = std::move(*started);
    auto db = server->CreateDatabase();
    if (!db.ok()) {
      std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
      return 1;
    }
    url = *db;
  }
  ct::SystemClock clock;
  ct::StoreConfig cfg;
  cfg.busy_timeout_ms = 60'000;
  auto store = ct::OpenPostgresStore(url, cfg, clock, options);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  if (!reads_only) {
    const auto start = std::chrono::steady_clock::now();
    auto last = start;
    std::vector<ct::Post> batch;
    ct::UpsertSummary total;
    for (int done = 0; done < posts; done += batch_size) {
      batch.clear();
      for (int i = done; i < std::min(posts, done + batch_size); ++i) batch.push_back(MakePost(i));
      auto r = (*store)->UpsertPosts(batch);
      if (!r.ok()) {
        std::fprintf(stderr, "batch at %d: %s\n", done, r.status().ToString().c_str());
        return 1;
      }
      total += *r;
      if (Since(last) > 10) {
        last = std::chrono::steady_clock::now();
        std::printf("  %d posts, %.0f posts/s so far\n", done + batch_size,
                    (done + batch_size) / Since(start));
        std::fflush(stdout);
      }
    }
    const double secs = Since(start);
    std::printf("import: %d posts in batches of %d: %.1f s, %.0f posts/s (inserted %lld)\n", posts,
                batch_size, secs, posts / secs, static_cast<long long>(total.inserted));

    batch.clear();
    for (int i = 0; i < std::min(posts, batch_size); ++i) batch.push_back(MakePost(i));
    auto t = std::chrono::steady_clock::now();
    auto again = (*store)->UpsertPosts(batch);
    std::printf("re-upsert of %zu known posts: %.3f s, unchanged %lld\n", batch.size(), Since(t),
                again.ok() ? static_cast<long long>(again->unchanged) : -1LL);
  }

  if (skip_reads) return 0;
  // Reads, as the API issues them (50 rows per page; the dashboard's stats filters).
  const ct::UnixSeconds last_created = 1'600'000'000 + static_cast<std::int64_t>(posts - 1) * 37;
  const ct::UnixSeconds last_day_end = (last_created / 86400 + 1) * 86400;
  bool ok = true;
  auto page = [&](const char* name, ct::PostSort sort, auto mutate) {
    ct::PostPageRequest req;
    req.sort = sort;
    req.limit = 50;
    mutate(req.filter);
    ok &= Measure(name, repeat, [&](std::string& detail) {
      auto r = (*store)->ListPosts(req);
      if (!r.ok()) {
        detail = r.status().ToString();
        return false;
      }
      detail = std::to_string(r->items.size()) + " items";
      return true;
    });
  };
  // Scans (q, sub-day bounds) are slow by nature: a few runs tell their cost.
  auto stats = [&](const char* name, ct::StatsBucket bucket, auto mutate, int runs = 0) {
    ct::PostFilter filter;
    mutate(filter);
    ok &= Measure(name, runs > 0 ? runs : std::max(1, repeat / 2), [&](std::string& detail) {
      auto r = (*store)->Stats(filter, bucket);
      if (!r.ok()) {
        detail = r.status().ToString();
        return false;
      }
      detail = "total " + std::to_string(r->total);
      return true;
    });
  };
  using ct::PostFilter;
  using ct::PostSort;
  using ct::StatsBucket;
  page("page newest", PostSort::kNewest, [](PostFilter&) {});
  page("page relevance", PostSort::kRelevance, [](PostFilter&) {});
  page("page newest product=vps", PostSort::kNewest, [](PostFilter& f) { f.products = {"vps"}; });
  page("page newest country=FR", PostSort::kNewest, [](PostFilter& f) { f.countries = {"FR"}; });
  page("page newest complaint unanswered", PostSort::kNewest, [](PostFilter& f) {
    f.complaint = true;
    f.answered = false;
  });
  page("page newest source+sentiment", PostSort::kNewest, [](PostFilter& f) {
    f.sources = {"reddit"};
    f.sentiments = {"negative", "neutral"};
  });
  page("page newest q=outage", PostSort::kNewest, [](PostFilter& f) { f.q = "outage"; });
  page("page newest q=outage vps", PostSort::kNewest, [](PostFilter& f) { f.q = "outage vps"; });
  page("page relevance q=refund", PostSort::kRelevance, [](PostFilter& f) { f.q = "refund"; });
  page("page newest q=<rare id>", PostSort::kNewest,
       [&](PostFilter& f) { f.q = std::to_string(posts / 2 + 7); });
  stats("stats week, no filter", StatsBucket::kWeek, [](PostFilter&) {});
  stats("stats day, no filter", StatsBucket::kDay, [](PostFilter&) {});
  stats("stats month, product=vps", StatsBucket::kMonth,
        [](PostFilter& f) { f.products = {"vps"}; });
  stats("stats day, last 30 days", StatsBucket::kDay,
        [&](PostFilter& f) { f.since = last_day_end - 30 * 86400; });
  stats("stats week, trustpilot+complaint, 90d", StatsBucket::kWeek, [&](PostFilter& f) {
    f.sources = {"trustpilot"};
    f.complaint = true;
    f.since = last_day_end - 90 * 86400;
    f.until = last_day_end;
  });
  stats("stats week, fr+negative+unanswered", StatsBucket::kWeek, [](PostFilter& f) {
    f.languages = {"fr"};
    f.sentiments = {"negative"};
    f.answered = false;
  });
  stats(
      "stats week, q=outage (scan)", StatsBucket::kWeek, [](PostFilter& f) { f.q = "outage"; }, 3);
  stats("stats day, sub-day since (rollup+edge)", StatsBucket::kDay,
        [&](PostFilter& f) { f.since = last_created - 7 * 86400 - 3600; });
  return ok ? 0 : 1;
}
