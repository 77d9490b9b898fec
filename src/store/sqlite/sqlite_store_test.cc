#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

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
            "1 posts\n2 api_tokens\n");
  EXPECT_EQ(raw.One("SELECT min(applied_at) FROM schema_migrations"),
            std::to_string(clock_.NowSeconds()));
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
  EXPECT_EQ(raw.One("SELECT count(*) FROM schema_migrations"), "2");
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
  EXPECT_EQ(raw.One("SELECT count(*) FROM schema_migrations"), "2");
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

// Default-filter stats breakdowns read a covering index, never the (wide) table rows.
TEST_F(SqliteStoreTest, DefaultStatsBreakdownsUseCoveringIndexes) {
  auto store = Open();
  ASSERT_TRUE(store.ok());
  RawDb raw(DbPath());
  for (const char* column : {"product", "source", "country", "language", "sentiment_label"}) {
    SCOPED_TRACE(column);
    const std::string plan =
        raw.Column(std::string("EXPLAIN QUERY PLAN SELECT ") + column +
                       ", count(*) AS n FROM posts WHERE false_positive = 0 GROUP BY " + column,
                   3);
    EXPECT_NE(plan.find("COVERING INDEX"), std::string::npos) << plan;
  }
}

}  // namespace
}  // namespace ct
