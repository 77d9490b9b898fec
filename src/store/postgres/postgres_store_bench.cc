// Bulk import throughput of the PostgreSQL store: N posts (default 1,000,000) upserted in
// batches (default 1,000), then the same first batch again (all unchanged), then a few reads.
//
//   postgres_store_bench [--url postgresql://...] [--posts N] [--batch B]
//
// Without --url it starts a throw-away server (tests/support/pg_server.h).
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

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int posts = 1'000'000;
  int batch_size = 1'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--url") == 0) url = argv[i + 1];
    if (std::strcmp(argv[i], "--posts") == 0) posts = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--batch") == 0) batch_size = std::atoi(argv[i + 1]);
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
  auto store = ct::OpenPostgresStore(url, cfg, clock);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
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

  ct::PostPageRequest req;
  req.filter.q = "outage vps";
  req.limit = 50;
  t = std::chrono::steady_clock::now();
  auto page = (*store)->ListPosts(req);
  std::printf("search 'outage vps' first page: %.3f s, %zu items\n", Since(t),
              page.ok() ? page->items.size() : 0);
  t = std::chrono::steady_clock::now();
  auto stats = (*store)->Stats(ct::PostFilter{}, ct::StatsBucket::kWeek);
  std::printf("stats (week) over everything: %.3f s, total %lld\n", Since(t),
              stats.ok() ? static_cast<long long>(stats->total) : -1LL);
  return 0;
}
