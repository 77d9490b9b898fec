// PostgreSQL store against a real server (tests/support/pg_server.h): the shared conformance
// suite, plus what only this backend has: migrations table, reconnect after a server restart,
// concurrent migrations, error translation, search edge cases and bulk-load throughput.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "core/clock.h"
#include "core/config.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"
#include "support/pg_server.h"
#ifdef CT_HAVE_STORE_CONFORMANCE
#include "store/store_conformance.h"
#endif

namespace ct {
namespace {

#ifdef CT_HAVE_STORE_CONFORMANCE
StoreBackend PostgresBackend() {
  return {"Postgres", [](const Clock& clock) -> Result<std::unique_ptr<Store>> {
            CT_ASSIGN_OR_RETURN(std::string url, testing::FreshDatabaseUrl());
            return OpenPostgresStore(url, StoreConfig{}, clock);
          }};
}
INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest, ::testing::Values(PostgresBackend()),
                         ::ct::StoreBackendName);
#endif

Post MakePost(int i) {
  Post p;
  p.source = "hackernews";
  p.external_id = std::to_string(i);
  p.url = "https://news.example.com/item?id=" + std::to_string(i);
  p.title = "Outage number " + std::to_string(i);
  p.content = "The VPS in Gravelines is down again, ticket " + std::to_string(i) + " unanswered";
  p.author = "user" + std::to_string(i % 97);
  p.created_at = 1'700'000'000 + i * 60;
  p.collected_at = 1'700'100'000;
  p.language = "en";
  p.sentiment_score = -0.5;
  p.sentiment_label = "negative";
  p.is_complaint = true;
  p.complaint_score = 0.8;
  p.product = "vps";
  p.country = "FR";
  p.relevance_score = (i % 100) / 100.0;
  p.evidence_json = R"({"complaint":["down"]})";
  return p;
}

// Runs one SQL statement on `url` and returns the first value (or the error).
std::string QueryOne(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url.c_str()), &PQfinish);
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return PQerrorMessage(c.get());
  return PQntuples(r.get()) > 0 ? PQgetvalue(r.get(), 0, 0) : "";
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = testing::FreshDatabaseUrl();
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
    auto store = OpenPostgresStore(url_, StoreConfig{}, clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  FakeClock clock_;
  std::string url_;
  std::unique_ptr<Store> store_;
};

TEST_F(PostgresStoreTest, RecordsEachMigrationOnce) {
  EXPECT_EQ(store_->backend(), "postgresql");
  ASSERT_TRUE(store_->Migrate().ok());
  EXPECT_EQ(QueryOne(url_, "SELECT count(*) FROM schema_migrations"), "6");
  EXPECT_EQ(QueryOne(url_, "SELECT name FROM schema_migrations WHERE version = 1"), "0001_posts");
  // applied_at comes from the injected clock.
  EXPECT_EQ(QueryOne(url_, "SELECT extract(epoch FROM applied_at)::bigint FROM schema_migrations "
                           "WHERE version = 2"),
            std::to_string(clock_.NowSeconds()));
}

TEST_F(PostgresStoreTest, TwoStoresMigratingAtOnceBothSucceed) {
  auto url = testing::FreshDatabaseUrl();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  constexpr int kStores = 4;
  std::vector<Status> results(kStores);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back([&, i] { results[i] = OpenPostgresStore(*url, StoreConfig{}, clock_).status(); });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(QueryOne(*url, "SELECT count(*) FROM schema_migrations"), "6");
}

TEST_F(PostgresStoreTest, SearchWithOperatorsAndQuotesNeverFails) {
  Post p = MakePost(1);
  p.title = "Café outage";
  p.content = "L'ÉTÉ dernier, support client: horrible & lent";
  ASSERT_TRUE(store_->UpsertPosts(std::vector<Post>{p}).ok());
  auto count = [&](const std::string& q) -> int {
    PostPageRequest req;
    req.filter.q = q;
    auto page = store_->ListPosts(req);
    EXPECT_TRUE(page.ok()) << q << ": " << page.status().ToString();
    return page.ok() ? static_cast<int>(page->items.size()) : -1;
  };
  EXPECT_EQ(count("café"), 1);
  EXPECT_EQ(count("CAFÉ"), 1);          // case-insensitive beyond ASCII
  EXPECT_EQ(count("cafe"), 0);          // accents significant
  EXPECT_EQ(count("caf"), 0);           // whole words
  EXPECT_EQ(count("été support"), 1);   // every word, any order
  EXPECT_EQ(count("été absent"), 0);
  EXPECT_EQ(count("l'été"), 1);         // apostrophe splits words on both sides
  EXPECT_EQ(count("horrible & | ! <-> :* ( lent"), 1);
  EXPECT_EQ(count("\"outage\" 'café'"), 1);
  EXPECT_EQ(count("!!! &&"), 0);        // no word: nothing matches
}

// A text search walks the newest few thousand rows in order, then turns to the GIN index when
// they hold no full page: both paths must give the same rows in the same order, page by page.
TEST_F(PostgresStoreTest, RareAndCommonWordsPageInOrderBeyondTheOrderedWalk) {
  constexpr int kPosts = 4600;  // more than ListPosts walks in order
  std::vector<Post> batch;
  for (int i = 0; i < kPosts; ++i) {
    Post p = MakePost(i);
    p.title = i % 400 == 7 ? "rareword here" : "plain title";
    if (i >= kPosts - 300 && i % 3 == 0) p.title += " recentword";
    p.relevance_score = ((i * 37) % 1000) / 1000.0;
    batch.push_back(p);
    if (batch.size() == 1000 || i == kPosts - 1) {
      ASSERT_TRUE(store_->UpsertPosts(batch).ok());
      batch.clear();
    }
  }
  auto all_pages = [&](const std::string& q, PostSort sort) {
    std::vector<std::string> ids;
    PostPageRequest req;
    req.filter.q = q;
    req.sort = sort;
    req.limit = 4;
    for (int guard = 0; guard < 100; ++guard) {
      auto page = store_->ListPosts(req);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      for (const Post& p : page->items) ids.push_back(p.external_id);
      if (!page->next) break;
      req.after = page->next;
    }
    return ids;
  };
  std::vector<std::string> rare_newest, rare_relevance, recent;
  std::vector<std::pair<double, int>> by_relevance;
  for (int i = kPosts - 1; i >= 0; --i) {
    if (i % 400 == 7) {
      rare_newest.push_back(std::to_string(i));
      by_relevance.push_back({((i * 37) % 1000) / 1000.0, i});
    }
    if (i >= kPosts - 300 && i % 3 == 0) recent.push_back(std::to_string(i));
  }
  std::sort(by_relevance.begin(), by_relevance.end(),
            [](const auto& a, const auto& b) { return a > b; });  // score, then id, descending
  for (const auto& [score, i] : by_relevance) rare_relevance.push_back(std::to_string(i));
  EXPECT_EQ(all_pages("rareword", PostSort::kNewest), rare_newest);
  EXPECT_EQ(all_pages("RAREWORD here", PostSort::kNewest), rare_newest);
  EXPECT_EQ(all_pages("rareword", PostSort::kRelevance), rare_relevance);
  std::vector<std::string> rare_oldest(rare_newest.rbegin(), rare_newest.rend());
  EXPECT_EQ(all_pages("rareword", PostSort::kOldest), rare_oldest);
  EXPECT_EQ(all_pages("recentword", PostSort::kNewest), recent);
  EXPECT_EQ(all_pages("rareword recentword", PostSort::kNewest),
            std::vector<std::string>{"4407"});  // the one post with both words
}

// A word longer than a tsvector lexeme may be (2047 bytes), e.g. a pasted blob, is left out of
// the index instead of failing the batch; the other words stay searchable.
TEST_F(PostgresStoreTest, OverlongWordsAreNotIndexedButNeverFailAnUpsert) {
  const std::string blob(3000, 'x');
  Post short_post = MakePost(1);
  short_post.content = "findme " + blob;  // under 2047 bytes in total: the fast path
  short_post.content.resize(1500);
  Post long_post = MakePost(2);
  long_post.content = "findme " + blob + " tail";
  ASSERT_TRUE(store_->UpsertPosts(std::vector<Post>{short_post, long_post}).ok());
  auto count = [&](const std::string& q) -> int {
    PostPageRequest req;
    req.filter.q = q;
    auto page = store_->ListPosts(req);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? static_cast<int>(page->items.size()) : -1;
  };
  EXPECT_EQ(count("findme"), 2);
  EXPECT_EQ(count("tail"), 1);
  EXPECT_EQ(count(blob), 0);
  EXPECT_EQ(count(std::string(1493, 'x')), 1);
}

// Production databases may use LC_CTYPE=C; search must still fold case and keep accented
// letters inside words.
TEST(PostgresStoreLocaleTest, SearchIsUnicodeAwareInACLocaleDatabase) {
  auto server = testing::SharedPgServer();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  std::unique_ptr<PGconn, decltype(&PQfinish)> admin(PQconnectdb((*server)->AdminUrl().c_str()),
                                                     &PQfinish);
  std::unique_ptr<PGresult, decltype(&PQclear)> created(
      PQexec(admin.get(), "CREATE DATABASE ct_c_locale TEMPLATE template0 LC_CTYPE 'C' "
                          "LC_COLLATE 'C'"),
      &PQclear);
  ASSERT_EQ(PQresultStatus(created.get()), PGRES_COMMAND_OK) << PQerrorMessage(admin.get());
  const std::string url =
      "postgresql://postgres@127.0.0.1:" + std::to_string((*server)->port()) + "/ct_c_locale";
  FakeClock clock;
  auto store = OpenPostgresStore(url, StoreConfig{}, clock);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Post p = MakePost(1);
  p.title = "ÉTÉ naïve";
  p.content = "Café";
  ASSERT_TRUE((*store)->UpsertPosts(std::vector<Post>{p}).ok());
  for (const char* q : {"été", "NAÏVE", "café été"}) {
    PostPageRequest req;
    req.filter.q = q;
    auto page = (*store)->ListPosts(req);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_EQ(page->items.size(), 1u) << q;
  }
  PostPageRequest req;
  req.filter.q = "caf";
  auto page = (*store)->ListPosts(req);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
}

TEST_F(PostgresStoreTest, TimelineBucketsAtUtcDayWeekAndMonthEdges) {
  std::vector<Post> posts = {MakePost(1), MakePost(2), MakePost(3)};
  posts[0].created_at = 1704671999;  // Sunday 2024-01-07 23:59:59 UTC
  posts[1].created_at = 1704672000;  // Monday 2024-01-08 00:00:00 UTC
  posts[2].created_at = -3600;       // Wednesday 1969-12-31 23:00:00 UTC
  ASSERT_TRUE(store_->UpsertPosts(posts).ok());
  auto periods = [&](StatsBucket b) {
    std::vector<std::string> out;
    auto s = store_->Stats(PostFilter{}, b);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (s.ok()) {
      for (const auto& p : s->timeline) out.push_back(p.period + "=" + std::to_string(p.total));
    }
    return out;
  };
  EXPECT_EQ(periods(StatsBucket::kDay),
            (std::vector<std::string>{"1969-12-31=1", "2024-01-07=1", "2024-01-08=1"}));
  EXPECT_EQ(periods(StatsBucket::kWeek),
            (std::vector<std::string>{"1969-12-29=1", "2024-01-01=1", "2024-01-08=1"}));
  EXPECT_EQ(periods(StatsBucket::kMonth),
            (std::vector<std::string>{"1969-12-01=1", "2024-01-01=2"}));
}

TEST_F(PostgresStoreTest, InvalidJsonFailsTheWholeBatchAsInvalidArgument) {
  std::vector<Post> batch = {MakePost(1), MakePost(2)};
  batch[1].metadata_json = "{not json";
  auto r = store_->UpsertPosts(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("json"), std::string::npos) << r.status().ToString();
  auto page = store_->ListPosts(PostPageRequest{});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
}

TEST_F(PostgresStoreTest, EvidenceMustBeAJsonObject) {
  Post p = MakePost(1);
  p.evidence_json = "[1, 2]";
  auto r = store_->UpsertPosts(std::vector<Post>{p});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("evidence"), std::string::npos) << r.status().ToString();
}

TEST_F(PostgresStoreTest, TextWithTabsNewlinesAndBackslashesRoundTrips) {
  Post p = MakePost(1);
  p.content = "line1\nline2\ttab \\N back\\slash \r end";
  p.metadata_json = R"({"path":"C:\\dir","q":"a\tb"})";
  ASSERT_TRUE(store_->UpsertPosts(std::vector<Post>{p}).ok());
  auto page = store_->ListPosts(PostPageRequest{});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].content, p.content);
  EXPECT_EQ(page->items[0].metadata_json, p.metadata_json);
}

TEST(PgErrorTest, TranslatesSqlStatesByTransience) {
  using pg::TranslateError;
  EXPECT_EQ(TranslateError("57P01", "terminating", true).code(), StatusCode::kUnavailable);
  EXPECT_EQ(TranslateError("08006", "gone", false).code(), StatusCode::kUnavailable);
  EXPECT_EQ(TranslateError("", "could not connect", false).code(), StatusCode::kUnavailable);
  EXPECT_EQ(TranslateError("40001", "serialize", true).code(), StatusCode::kAborted);
  EXPECT_EQ(TranslateError("40P01", "deadlock", true).code(), StatusCode::kAborted);
  EXPECT_EQ(TranslateError("57014", "timeout", true).code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(TranslateError("23505", "dup", true).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(TranslateError("23502", "null", true).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TranslateError("42601", "syntax", true).code(), StatusCode::kInternal);
  EXPECT_TRUE(TranslateError("57P01", "x", true).transient());
  EXPECT_FALSE(TranslateError("42601", "x", true).transient());
}

TEST(PostgresStoreStandaloneTest, UnreachableServerIsUnavailable) {
  FakeClock clock;
  StoreConfig cfg;
  cfg.busy_timeout_ms = 1000;
  // Port 1 on loopback: nothing listens there.
  auto store = OpenPostgresStore("postgresql://postgres@127.0.0.1:1/none", cfg, clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable) << store.status().ToString();
}

TEST(PostgresStoreStandaloneTest, StatementTimeoutIsDeadlineExceeded) {
  auto url = testing::FreshDatabaseUrl();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  auto conn = pg::PgConnection::Connect(*url, 50, 5);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto r = (*conn)->Exec("SELECT pg_sleep(5)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().ToString();
}

// A restarted database must not break the store: calls fail while it is down (transient), and
// the first call after it is back succeeds, on every pooled connection.
TEST(PostgresStoreRestartTest, ReconnectsAfterServerRestart) {
  auto server = testing::PgServer::Start();  // own server: the shared one stays up
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto url = (*server)->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  FakeClock clock;
  StoreConfig cfg;
  cfg.pool_size = 3;
  cfg.busy_timeout_ms = 2000;
  auto opened = OpenPostgresStore(*url, cfg, clock);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  ASSERT_TRUE(store.UpsertPosts(std::vector<Post>{MakePost(1)}).ok());
  // Open every pooled connection, so all of them go stale with the restart.
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) threads.emplace_back([&] { (void)store.Ping(); });
    for (auto& t : threads) t.join();
  }

  ASSERT_TRUE((*server)->StopServer().ok());
  Status down = store.Ping();
  EXPECT_FALSE(down.ok());
  EXPECT_TRUE(down.transient()) << down.ToString();
  auto down_get = store.GetPost(1);
  EXPECT_EQ(down_get.status().code(), StatusCode::kUnavailable) << down_get.status().ToString();

  ASSERT_TRUE((*server)->StartServer().ok());
  for (int i = 0; i < 5; ++i) {  // more calls than pooled connections
    auto post = store.GetPost(1);
    ASSERT_TRUE(post.ok()) << "call " << i << ": " << post.status().ToString();
    EXPECT_EQ(post->external_id, "1");
  }
  auto upsert = store.UpsertPosts(std::vector<Post>{MakePost(1), MakePost(2)});
  ASSERT_TRUE(upsert.ok()) << upsert.status().ToString();
  EXPECT_EQ(upsert->unchanged, 1);
  EXPECT_EQ(upsert->inserted, 1);
}

// Restart while connections sit idle (no call in between): the first call must succeed.
TEST(PostgresStoreRestartTest, FirstCallAfterASilentRestartSucceeds) {
  auto server = testing::PgServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto url = (*server)->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  FakeClock clock;
  auto opened = OpenPostgresStore(*url, StoreConfig{}, clock);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_TRUE((*opened)->Ping().ok());
  ASSERT_TRUE((*server)->StopServer().ok());
  ASSERT_TRUE((*server)->StartServer().ok());
  Status s = (*opened)->Ping();
  EXPECT_TRUE(s.ok()) << s.ToString();
  auto r = (*opened)->UpsertPosts(std::vector<Post>{MakePost(1)});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

// Stats from post_rollup (plus the partial days of sub-day bounds) must equal the scan of the
// posts, for any filter without q, after inserts, re-collected posts whose rollup columns change,
// and triage changes.
TEST_F(PostgresStoreTest, RollupStatsEqualTheScanOnRandomFilters) {
  PostgresStoreOptions scan_options;
  scan_options.stats_from_rollup = false;
  auto opened = OpenPostgresStore(url_, StoreConfig{}, clock_, scan_options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& scan = **opened;

  std::mt19937 rng(20240229);
  auto pick = [&](const std::vector<std::string>& values) {
    return values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng)];
  };
  auto chance = [&](int percent) { return std::uniform_int_distribution<int>(0, 99)(rng) < percent; };
  const std::vector<std::string> sources = {"reddit", "hackernews", "trustpilot"};
  const std::vector<std::string> sentiments = {"positive", "neutral", "negative"};
  const std::vector<std::string> products = {"vps", "domains", "", "public-cloud"};
  const std::vector<std::string> languages = {"en", "fr", ""};
  const std::vector<std::string> countries = {"FR", "GB", "", "DE"};
  constexpr std::int64_t kDay = 86400;
  const std::int64_t first_day = -3;  // some posts before 1970: floor division matters
  constexpr int kDays = 40;
  auto random_post = [&](int i) {
    Post p = MakePost(i);
    p.source = pick(sources);
    p.created_at = (first_day + std::uniform_int_distribution<int>(0, kDays - 1)(rng)) * kDay +
                   std::uniform_int_distribution<int>(0, kDay - 1)(rng);
    p.sentiment_label = pick(sentiments);
    p.is_complaint = chance(40);
    p.product = pick(products);
    p.language = pick(languages);
    p.country = pick(countries);
    p.false_positive = chance(10);
    return p;
  };
  std::vector<Post> posts;
  for (int i = 0; i < 600; ++i) posts.push_back(random_post(i));
  for (size_t at = 0; at < posts.size(); at += 150) {
    std::vector<Post> batch(posts.begin() + at, posts.begin() + std::min(posts.size(), at + 150));
    ASSERT_TRUE(store_->UpsertPosts(batch).ok());
  }

  auto random_values = [&](const std::vector<std::string>& values) {
    std::vector<std::string> out;
    if (chance(60)) return out;
    for (const auto& v : values) {
      if (chance(50)) out.push_back(v);
    }
    if (out.empty()) out.push_back(pick(values));
    return out;
  };
  auto random_bool = [&]() -> std::optional<bool> {
    if (chance(60)) return std::nullopt;
    return chance(50);
  };
  auto compare = [&](const char* phase) {
    for (int round = 0; round < 60; ++round) {
      PostFilter f;
      f.sources = random_values(sources);
      f.sentiments = random_values(sentiments);
      f.products = random_values(products);
      f.languages = random_values(languages);
      f.countries = random_values(countries);
      f.complaint = random_bool();
      f.answered = random_bool();
      if (chance(30)) f.false_positive = random_bool();
      // Whole days, or sub-day bounds (partial days at the edges come from the posts).
      auto bound = [&](int from_day, int to_day) {
        std::int64_t t = (first_day + std::uniform_int_distribution<int>(from_day, to_day)(rng)) * kDay;
        if (chance(50)) t += std::uniform_int_distribution<int>(-kDay + 1, kDay - 1)(rng);
        return t;
      };
      if (chance(50)) f.since = bound(-1, kDays);
      if (chance(50)) f.until = bound(0, kDays + 1);
      if (chance(10) && f.since) f.until = *f.since + std::uniform_int_distribution<int>(0, 2 * kDay)(rng);
      const StatsBucket bucket =
          std::vector<StatsBucket>{StatsBucket::kDay, StatsBucket::kWeek,
                                   StatsBucket::kMonth}[static_cast<size_t>(round % 3)];
      auto from_rollup = store_->Stats(f, bucket);
      auto from_scan = scan.Stats(f, bucket);
      ASSERT_TRUE(from_rollup.ok()) << from_rollup.status().ToString();
      ASSERT_TRUE(from_scan.ok()) << from_scan.status().ToString();
      EXPECT_EQ(*from_rollup, *from_scan) << phase << ", round " << round;
    }
  };
  compare("after inserts");
  std::int64_t total = 0;
  {
    PostFilter everything;
    everything.false_positive = std::nullopt;
    auto s = store_->Stats(everything, StatsBucket::kDay);
    ASSERT_TRUE(s.ok());
    total = s->total;
  }
  EXPECT_EQ(total, 600);

  // Re-collected posts: analysed columns change (created_at stays the first one).
  std::vector<Post> again;
  for (int i = 0; i < 600; i += 3) {
    Post p = random_post(i);
    p.source = posts[static_cast<size_t>(i)].source;
    p.created_at = posts[static_cast<size_t>(i)].created_at;
    again.push_back(p);
  }
  auto r = store_->UpsertPosts(again);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 0);
  compare("after updates");

  // Triage, including back and forth, so rollup rows empty and come back.
  for (int i = 0; i < 120; ++i) {
    TriagePatch patch;
    if (chance(70)) patch.answered = chance(70);
    if (chance(40)) patch.false_positive = chance(50);
    patch.actor = "care";
    patch.now = 1'700'000'000;
    auto t = store_->UpdateTriage(1 + std::uniform_int_distribution<int>(0, 599)(rng), patch);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
  }
  compare("after triage");
  // No empty rollup rows are left behind.
  EXPECT_EQ(QueryOne(url_, "SELECT count(*) FROM post_rollup WHERE n <= 0"), "0");
  EXPECT_EQ(QueryOne(url_, "SELECT sum(n) FROM post_rollup"), "600");
}

// Throughput of the bulk path (COPY + set-based dedup), printed for the report. The assertion
// is on correctness, not speed, so a busy CI machine cannot make it flaky.
TEST_F(PostgresStoreTest, BulkLoadInBatchesOfAThousand) {
  constexpr int kBatch = 1000;
  constexpr int kBatches = 50;
  std::vector<Post> batch;
  const auto start = std::chrono::steady_clock::now();
  UpsertSummary total;
  for (int b = 0; b < kBatches; ++b) {
    batch.clear();
    for (int i = 0; i < kBatch; ++i) batch.push_back(MakePost(b * kBatch + i));
    auto r = store_->UpsertPosts(batch);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    total += *r;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ bulk ] %d posts inserted in %.2f s: %.0f posts/s\n", kBatch * kBatches, secs,
              kBatch * kBatches / secs);
  EXPECT_EQ(total.inserted, kBatch * kBatches);
  // Re-loading a batch changes nothing.
  auto again = store_->UpsertPosts(batch);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, kBatch);
  auto stats = store_->Stats(PostFilter{}, StatsBucket::kDay);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->total, kBatch * kBatches);
}

}  // namespace
}  // namespace ct
