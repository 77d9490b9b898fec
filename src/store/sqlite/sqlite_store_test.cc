#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "core/clock.h"
#include "core/config.h"
#include "store/store_conformance.h"

namespace ct {
namespace {

// A fresh directory under $TMPDIR, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ct_sqlite_XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A Store that owns the temporary directory its database lives in.
class TempSqliteStore final : public Store {
 public:
  TempSqliteStore(std::unique_ptr<TempDir> dir, std::unique_ptr<Store> inner)
      : dir_(std::move(dir)), inner_(std::move(inner)) {}
  ~TempSqliteStore() override { inner_.reset(); }  // close before the directory goes

  std::string_view backend() const override { return inner_->backend(); }
  Status Migrate() override { return inner_->Migrate(); }
  Status Ping() override { return inner_->Ping(); }
  Result<UpsertSummary> UpsertPosts(std::span<const Post> posts) override {
    return inner_->UpsertPosts(posts);
  }
  Result<UpsertSummary> BulkUpsertPosts(const PostBatchSource& next) override {
    return inner_->BulkUpsertPosts(next);
  }
  Result<Post> GetPost(std::int64_t id) override { return inner_->GetPost(id); }
  Result<PostPage> ListPosts(const PostPageRequest& r) override { return inner_->ListPosts(r); }
  Result<PostStats> Stats(const PostFilter& f, StatsBucket b) override {
    return inner_->Stats(f, b);
  }
  Result<Post> UpdateTriage(std::int64_t id, const TriagePatch& p) override {
    return inner_->UpdateTriage(id, p);
  }
  Result<ApiToken> CreateToken(const ApiToken& t) override { return inner_->CreateToken(t); }
  Result<ApiToken> GetToken(std::int64_t id) override { return inner_->GetToken(id); }
  Result<std::vector<ApiToken>> ListTokens() override { return inner_->ListTokens(); }
  Status RevokeToken(std::int64_t id, UnixSeconds at) override {
    return inner_->RevokeToken(id, at);
  }

 private:
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Store> inner_;
};

StoreBackend SqliteBackend() {
  return {"Sqlite", [](const Clock& clock) -> Result<std::unique_ptr<Store>> {
            auto dir = std::make_unique<TempDir>();
            StoreConfig cfg;
            cfg.pool_size = 4;
            CT_ASSIGN_OR_RETURN(auto inner,
                                OpenSqliteStore((dir->path() / "test.db").string(), cfg, clock));
            return std::unique_ptr<Store>(new TempSqliteStore(std::move(dir), std::move(inner)));
          }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest, ::testing::Values(SqliteBackend()),
                         StoreBackendName);

// --- SQLite-specific behaviour, checked through a raw connection to the same file ---

struct RawDb {
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) ADD_FAILURE() << sqlite3_errmsg(db);
  }
  ~RawDb() { sqlite3_close(db); }
  std::string One(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db);
      return {};
    }
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  // Every row's column `col` joined by '\n'.
  std::string Column(const std::string& sql, int col) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db);
      return {};
    }
    std::string out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      out += reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
      out += '\n';
    }
    sqlite3_finalize(stmt);
    return out;
  }
  sqlite3* db = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string DbPath() const { return (dir_.path() / "complaints.db").string(); }
  Result<std::unique_ptr<Store>> Open(StoreConfig cfg = {}) {
    return OpenSqliteStore(DbPath(), cfg, clock_);
  }

  TempDir dir_;
  FakeClock clock_;
};

Post SamplePost(const std::string& id) {
  Post p;
  p.source = "reddit";
  p.external_id = id;
  p.url = "https://reddit.com/" + id;
  p.content = "post " + id;
  p.created_at = 1'700'000'000;
  return p;
}

TEST_F(SqliteStoreTest, OpensInWalModeWithMigrationsRecorded) {
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  RawDb raw(DbPath());
  EXPECT_EQ(raw.One("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.Column("SELECT version || ' ' || name FROM schema_migrations ORDER BY version", 0),
            "1 posts\n2 api_tokens\n3 rollup_search_key\n4 json_objects\n");
  EXPECT_EQ(raw.One("SELECT min(applied_at) FROM schema_migrations"),
            std::to_string(clock_.NowSeconds()));
}

// Migration 0004 (evidence and metadata are JSON objects) refuses a database that already
// holds other values, naming the problem and changing nothing; once fixed, it applies.
TEST_F(SqliteStoreTest, JsonObjectMigrationRefusesExistingNonObjects) {
  {
    auto store = Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->UpsertPosts(std::vector<Post>{SamplePost("a")}).ok());
  }
  {
    // Back to the schema before 0004, with a value it would not have accepted.
    RawDb raw(DbPath());
    ASSERT_EQ(sqlite3_exec(raw.db,
                           "DROP TRIGGER posts_json_objects_insert; "
                           "DROP TRIGGER posts_json_objects_update; "
                           "DELETE FROM schema_migrations WHERE version = 4; "
                           "UPDATE posts SET metadata = '[1]'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(raw.db);
  }
  auto refused = Open();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("not JSON objects"), std::string::npos)
      << refused.status().ToString();
  {
    RawDb raw(DbPath());
    EXPECT_EQ(raw.One("SELECT count(*) FROM schema_migrations"), "3");
    EXPECT_EQ(raw.One("SELECT metadata FROM posts"), "[1]");  // nothing rewritten
    ASSERT_EQ(sqlite3_exec(raw.db, "UPDATE posts SET metadata = '{\"was\":[1]}'", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
  }
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  RawDb raw(DbPath());
  EXPECT_EQ(raw.One("SELECT count(*) FROM schema_migrations"), "4");
  EXPECT_NE(sqlite3_exec(raw.db, "UPDATE posts SET evidence = '[]'", nullptr, nullptr, nullptr),
            SQLITE_OK);
}

TEST_F(SqliteStoreTest, ReopeningKeepsDataAndDoesNotReapplyMigrations) {
  {
    auto store = Open();
    ASSERT_TRUE(store.ok());
    std::vector<Post> posts = {SamplePost("1"), SamplePost("2")};
    ASSERT_TRUE((*store)->UpsertPosts(posts).ok());
    ApiToken t;
    t.name = "ci";
    t.secret_hash = "ab";
    ASSERT_TRUE((*store)->CreateToken(t).ok());
  }
  clock_.AdvanceSeconds(3600);
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto stats = (*store)->Stats({}, StatsBucket::kDay);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->total, 2);
  EXPECT_EQ((*store)->ListTokens()->size(), 1u);
  std::vector<Post> again = {SamplePost("1")};
  EXPECT_EQ((*store)->UpsertPosts(again)->unchanged, 1);
  RawDb raw(DbPath());
  EXPECT_EQ(raw.One("SELECT count(*) FROM schema_migrations"), "4");
  EXPECT_EQ(raw.One("SELECT count(DISTINCT applied_at) FROM schema_migrations"), "1");
}

TEST_F(SqliteStoreTest, SeveralProcessesOpeningANewFileMigrateOnce) {
  constexpr int kProcesses = 4;
  std::vector<pid_t> children;
  for (int i = 0; i < kProcesses; ++i) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Child: no gtest assertions, just an exit code.
      FakeClock clock;
      StoreConfig cfg;
      auto store = OpenSqliteStore(DbPath(), cfg, clock);
      if (!store.ok()) ::_exit(2);
      std::vector<Post> posts = {SamplePost("p" + std::to_string(i)), SamplePost("shared")};
      auto r = (*store)->UpsertPosts(posts);
      ::_exit(r.ok() ? 0 : 3);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  RawDb raw(DbPath());
  EXPECT_EQ(raw.One("SELECT count(*) FROM schema_migrations"), "4");
  EXPECT_EQ(raw.One("SELECT count(*) FROM posts"), std::to_string(kProcesses + 1));
}

TEST_F(SqliteStoreTest, LockHeldTooLongIsATransientError) {
  StoreConfig cfg;
  cfg.busy_timeout_ms = 50;
  auto store = Open(cfg);
  ASSERT_TRUE(store.ok());
  RawDb raw(DbPath());
  ASSERT_EQ(sqlite3_exec(raw.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::vector<Post> posts = {SamplePost("1")};
  auto r = (*store)->UpsertPosts(posts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_TRUE(r.status().transient());
  EXPECT_TRUE((*store)->Ping().ok()) << "readers are not blocked by a writer in WAL mode";
  ASSERT_EQ(sqlite3_exec(raw.db, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_TRUE((*store)->UpsertPosts(posts).ok()) << "and the store recovers";
}

TEST_F(SqliteStoreTest, MissingDirectoryIsAClearError) {
  FakeClock clock;
  auto store =
      OpenSqliteStore((dir_.path() / "no" / "such" / "dir" / "x.db").string(), {}, clock);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("no/such/dir"), std::string::npos)
      << store.status().ToString();
}

// The filtered "newest" page must walk an index in order, not sort every match.
TEST_F(SqliteStoreTest, FilteredNewestPageUsesAnIndexForOrder) {
  auto store = Open();
  ASSERT_TRUE(store.ok());
  RawDb raw(DbPath());
  for (const char* column : {"product", "source", "country", "language", "sentiment_label"}) {
    SCOPED_TRACE(column);
    const std::string plan = raw.Column(
        std::string("EXPLAIN QUERY PLAN SELECT id FROM posts WHERE ") + column +
            " IN (?) AND false_positive = 0 ORDER BY created_at DESC, id DESC LIMIT 51",
        3);
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
    EXPECT_NE(plan.find("INDEX"), std::string::npos) << plan;
  }
  const std::string plan = raw.Column(
      "EXPLAIN QUERY PLAN SELECT id FROM posts WHERE false_positive = 0 "
      "ORDER BY relevance_score DESC, id DESC LIMIT 51",
      3);
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

// A newest/oldest text-search page walks the FTS index in search-key order: no sort of the
// matches, whatever the other filters.
TEST_F(SqliteStoreTest, SearchPageWalksTheFtsIndexInOrder) {
  auto store = Open();
  ASSERT_TRUE(store.ok());
  RawDb raw(DbPath());
  for (const char* order : {"DESC", "ASC"}) {
    SCOPED_TRACE(order);
    const std::string plan = raw.Column(
        std::string("EXPLAIN QUERY PLAN SELECT posts.id FROM posts_fts CROSS JOIN posts ON "
                    "posts.id = (posts_fts.rowid & 2147483647) WHERE posts_fts MATCH ? AND "
                    "posts_fts.rowid < ? AND product IN (?) AND false_positive = 0 "
                    "ORDER BY posts_fts.rowid ") +
            order + " LIMIT 51",
        3);
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
    EXPECT_NE(plan.find("INTEGER PRIMARY KEY"), std::string::npos) << plan;
  }
}

// The search key orders matches like (created_at, id), also for posts before 1970 and for
// posts sharing a timestamp; paging through a search visits every match once.
TEST_F(SqliteStoreTest, SearchPagesFollowCreatedAtThenId) {
  auto store = Open();
  ASSERT_TRUE(store.ok());
  std::vector<Post> posts;
  const std::int64_t times[] = {-86'401, -1, 0, 5, 5, 5, 1'700'000'000, 1'699'999'999, 86'400};
  for (std::size_t i = 0; i < std::size(times); ++i) {
    Post p = SamplePost("s" + std::to_string(i));
    p.content = "needle " + std::to_string(i);
    p.created_at = times[i];
    posts.push_back(p);
  }
  ASSERT_TRUE((*store)->UpsertPosts(posts).ok());
  for (PostSort sort : {PostSort::kNewest, PostSort::kOldest}) {
    PostPageRequest req;
    req.filter.q = "NEEDLE";
    req.sort = sort;
    req.limit = 2;
    std::vector<std::pair<UnixSeconds, std::int64_t>> seen;
    for (int guard = 0; guard < 20; ++guard) {
      auto page = (*store)->ListPosts(req);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      for (const Post& p : page->items) seen.emplace_back(p.created_at, p.id);
      if (!page->next) break;
      req.after = page->next;
    }
    ASSERT_EQ(seen.size(), std::size(times));
    auto sorted = seen;
    std::sort(sorted.begin(), sorted.end());
    if (sort == PostSort::kNewest) std::reverse(sorted.begin(), sorted.end());
    EXPECT_EQ(seen, sorted);
  }
  Post far = SamplePost("far");
  far.created_at = std::int64_t{1} << 33;  // beyond the search key range
  std::vector<Post> one = {far};
  auto r = (*store)->UpsertPosts(one);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
}

// Stats from post_rollup (+ the partial days at either end) equal stats from scanning the
// posts, for random filters over random posts, also after triage changes and updates that
// move posts between rollup rows.
TEST_F(SqliteStoreTest, RollupStatsEqualScannedStats) {
  SqliteStoreOptions rollup_options;
  rollup_options.stats_cache_entries = 0;
  SqliteStoreOptions scan_options = rollup_options;
  scan_options.stats_from_rollup = false;
  auto rollup = OpenSqliteStore(DbPath(), {}, clock_, rollup_options);
  ASSERT_TRUE(rollup.ok()) << rollup.status().ToString();
  auto scan = OpenSqliteStore(DbPath(), {}, clock_, scan_options);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  auto cached = OpenSqliteStore(DbPath(), {}, clock_);
  ASSERT_TRUE(cached.ok()) << cached.status().ToString();

  std::mt19937_64 rng(42);
  const std::vector<std::string> sources = {"reddit", "hackernews", "trustpilot"};
  const std::vector<std::string> labels = {"positive", "neutral", "negative", ""};
  const std::vector<std::string> products = {"vps", "email", ""};
  const std::vector<std::string> languages = {"en", "fr"};
  const std::vector<std::string> countries = {"FR", "DE", ""};
  auto pick = [&rng](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  const std::int64_t t0 = 1'699'000'000;  // not at midnight
  const std::int64_t span = 60 * 86'400;
  auto make = [&](int i) {
    Post p = SamplePost("r" + std::to_string(i));
    p.source = pick(sources);
    p.content = (rng() % 2 ? "panne serveur " : "all good ") + std::to_string(i);
    p.created_at = t0 + static_cast<std::int64_t>(rng() % span) - (i % 7 == 0 ? 2 * t0 : 0);
    p.sentiment_label = pick(labels);
    p.product = pick(products);
    p.language = pick(languages);
    p.country = pick(countries);
    p.is_complaint = rng() % 2 == 0;
    p.answered = rng() % 4 == 0;
    p.false_positive = rng() % 8 == 0;
    return p;
  };
  std::vector<Post> posts;
  for (int i = 0; i < 600; ++i) posts.push_back(make(i));
  ASSERT_TRUE((*rollup)->UpsertPosts(posts).ok());

  auto random_filter = [&] {
    PostFilter f;
    auto some = [&](const std::vector<std::string>& v) {
      std::vector<std::string> out;
      for (const auto& x : v) {
        if (rng() % 3 == 0) out.push_back(x);
      }
      return out;
    };
    if (rng() % 3 == 0) f.sources = some(sources);
    if (rng() % 3 == 0) f.sentiments = some(labels);
    if (rng() % 3 == 0) f.products = some(products);
    if (rng() % 4 == 0) f.languages = some(languages);
    if (rng() % 4 == 0) f.countries = some(countries);
    if (rng() % 4 == 0) f.complaint = rng() % 2 == 0;
    if (rng() % 4 == 0) f.answered = rng() % 2 == 0;
    const auto fp = rng() % 3;
    f.false_positive = fp == 0 ? std::optional<bool>() : std::optional<bool>(fp == 1);
    auto bound = [&]() -> std::int64_t {
      const std::int64_t t = t0 + static_cast<std::int64_t>(rng() % span) - 86'400;
      return rng() % 2 ? t - ((t % 86'400) + 86'400) % 86'400 : t;  // midnight or not
    };
    if (rng() % 2) f.since = bound();
    if (rng() % 2) f.until = bound();
    if (rng() % 5 == 0) f.since = -86'400 * 3 - (rng() % 2);
    if (rng() % 6 == 0) f.q = "panne";
    return f;
  };
  auto compare = [&](int rounds) {
    for (int k = 0; k < rounds; ++k) {
      const PostFilter f = random_filter();
      const StatsBucket bucket = static_cast<StatsBucket>(rng() % 3);
      auto a = (*rollup)->Stats(f, bucket);
      auto b = (*scan)->Stats(f, bucket);
      auto c = (*cached)->Stats(f, bucket);
      ASSERT_TRUE(a.ok() && b.ok() && c.ok());
      ASSERT_EQ(*a, *b) << "round " << k;
      ASSERT_EQ(*c, *b) << "round " << k;
    }
  };
  compare(150);
  // Triage and re-scrapes move posts between rollup rows.
  for (int i = 0; i < 100; ++i) {
    TriagePatch patch;
    if (rng() % 2) patch.answered = rng() % 2 == 0;
    if (rng() % 2) patch.false_positive = rng() % 2 == 0;
    patch.actor = "t";
    patch.now = 1;
    ASSERT_TRUE((*cached)->UpdateTriage(1 + static_cast<std::int64_t>(rng() % 600), patch).ok());
  }
  std::vector<Post> rescraped;
  for (int i = 0; i < 600; i += 3) rescraped.push_back(make(i));
  auto summary = (*rollup)->UpsertPosts(rescraped);
  ASSERT_TRUE(summary.ok());
  EXPECT_GT(summary->updated, 0);
  compare(150);
  RawDb raw(DbPath());
  EXPECT_EQ(raw.One("SELECT count(*) FROM post_rollup WHERE n <= 0"), "0");
  EXPECT_EQ(raw.One("SELECT sum(n) FROM post_rollup"), "600");
}

// Concurrent misses on the same stats share one computation and all get its result; a write
// makes the next request recompute.
TEST_F(SqliteStoreTest, ConcurrentStatsMissesAgreeAndWritesInvalidate) {
  auto store = Open();
  ASSERT_TRUE(store.ok());
  std::vector<Post> posts;
  for (int i = 0; i < 50; ++i) posts.push_back(SamplePost("c" + std::to_string(i)));
  ASSERT_TRUE((*store)->UpsertPosts(posts).ok());
  std::vector<PostStats> results(8);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      auto s = (*store)->Stats({}, StatsBucket::kWeek);
      if (s.ok()) results[t] = *s;
    });
  }
  for (auto& th : threads) th.join();
  for (const PostStats& r : results) EXPECT_EQ(r.total, 50);
  std::vector<Post> more = {SamplePost("late")};
  ASSERT_TRUE((*store)->UpsertPosts(more).ok());
  EXPECT_EQ((*store)->Stats({}, StatsBucket::kWeek)->total, 51);
  TriagePatch patch;
  patch.false_positive = true;
  ASSERT_TRUE((*store)->UpdateTriage(1, patch).ok());
  EXPECT_EQ((*store)->Stats({}, StatsBucket::kWeek)->total, 50);
}

}  // namespace
}  // namespace ct
