// migrate-data against a real PostgreSQL: 100,000 posts from SQLite, verified and equal post by
// post; a second run changes nothing; a corrupted target (a trigger that alters what is
// written, or rows the source does not have) is rolled back, untouched, with the difference
// named; the predecessor's schema is mapped.
#include "tools/migrate_data.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "core/config.h"
#include "jobs/queue_factory.h"
#include "queue/job_queue.h"
#include "store/postgres/pg_connection.h"
#include "store/store.h"
#include "support/pg_server.h"
#include "tools/testing_data.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

class MigrateDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ct_migrate_pgtest_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    sqlite_url_ = "sqlite:" + (dir_ / "complaints.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A SQLite store with `posts` posts, two tokens and some job history.
  void MakeSource(int posts) {
    StoreConfig sc;
    sc.database_url = sqlite_url_;
    auto store = OpenStore(sc, clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto all = testing::MakePosts(posts);
    for (std::size_t i = 0; i < all.size(); i += 10'000) {
      std::span<const Post> batch(all.data() + i, std::min<std::size_t>(10'000, all.size() - i));
      ASSERT_TRUE((*store)->UpsertPosts(batch).ok());
    }
    ASSERT_TRUE((*store)->CreateToken({0, "care", Role::kOperator, std::string(64, 'c'), 1, {}}).ok());
    ASSERT_TRUE((*store)->CreateToken({0, "old", Role::kViewer, std::string(64, 'd'), 2, 3}).ok());
    AppConfig ac;
    ac.store = sc;
    auto queue = OpenJobQueue(ac, clock_);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    for (int i = 0; i < 20; ++i) {
      EnqueueRequest req;
      req.type = "scrape";
      req.payload_json = R"({"source":"reddit","n":)" + std::to_string(i) + "}";
      ASSERT_TRUE((*queue)->Enqueue(req).ok());
    }
  }

  MigrateOptions Options(const std::string& to) {
    MigrateOptions o;
    o.from_url = sqlite_url_;
    o.to_url = to;
    o.data_dir = dir_.string();
    o.seed = 42;
    return o;
  }

  static std::int64_t Count(const std::string& url, const std::string& table) {
    auto conn = pg::PgConnection::Connect(url, 10'000, 10);
    if (!conn.ok()) return -1;
    auto r = (*conn)->Exec("SELECT count(*) FROM " + table);
    return r.ok() ? r->Int(0, 0) : -1;
  }

  fs::path dir_;
  std::string sqlite_url_;
  FakeClock clock_{1'700'000'000'000'000};
};

const TableCheck* Find(const MigrateReport& r, const std::string& table) {
  for (const auto& t : r.tables) {
    if (t.table == table) return &t;
  }
  return nullptr;
}

TEST_F(MigrateDataTest, HundredThousandPostsVerifiedAndEqual) {
  MakeSource(100'000);
  auto to = testing::FreshDatabaseUrl();
  ASSERT_TRUE(to.ok()) << to.status().ToString();
  std::int64_t last_done = 0;
  auto report = MigrateData(Options(*to), clock_, [&](std::int64_t done, std::int64_t, const std::string&) {
    EXPECT_GE(done, last_done);
    last_done = done;
  });
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(fs::exists(report->backup_path)) << report->backup_path;
  ASSERT_NE(Find(*report, "posts"), nullptr);
  EXPECT_EQ(Find(*report, "posts")->source_rows, 100'000);
  EXPECT_EQ(Find(*report, "posts")->target_rows, 100'000);
  EXPECT_EQ(Find(*report, "posts")->sampled, 1000);
  EXPECT_EQ(Find(*report, "api_tokens")->target_rows, 2);
  EXPECT_EQ(Find(*report, "jobs")->target_rows, 20);
  EXPECT_GE(Find(*report, "job_events")->target_rows, 20);
  EXPECT_EQ(last_done, 100'000 + 2 + 20 + Find(*report, "job_events")->source_rows +
                           Find(*report, "schedule_firings")->source_rows);

  // Independently of the tool's own check: posts read back equal through both stores.
  StoreConfig src_cfg, dst_cfg;
  src_cfg.database_url = sqlite_url_;
  dst_cfg.database_url = *to;
  auto src = OpenStore(src_cfg, clock_);
  auto dst = OpenStore(dst_cfg, clock_);
  ASSERT_TRUE(src.ok() && dst.ok());
  for (std::int64_t id : {1, 2, 17, 4242, 55'555, 99'999, 100'000}) {
    auto a = (*src)->GetPost(id);
    auto b = (*dst)->GetPost(id);
    ASSERT_TRUE(a.ok() && b.ok()) << id;
    EXPECT_EQ(*a, *b) << "post " << id;
  }
  PostFilter all;
  auto sa = (*src)->Stats(all, StatsBucket::kDay);
  auto sb = (*dst)->Stats(all, StatsBucket::kDay);
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_EQ(sa->total, sb->total);
  // New posts get fresh ids (identity moved past the copied ones).
  auto more = (*dst)->UpsertPosts(testing::MakePosts(3, 9));
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  EXPECT_EQ(more->inserted, 3);

  // Safe to run again: verifies, changes nothing but the 3 new target posts make counts
  // differ -> refused and rolled back, saying so.
  auto again = MigrateData(Options(*to), clock_, nullptr);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("posts: 100000 rows in the source, 100003 in the target"),
            std::string::npos)
      << again.status().message();
}

TEST_F(MigrateDataTest, SecondRunIsANoOpThatVerifies) {
  MakeSource(2000);
  auto to = testing::FreshDatabaseUrl();
  ASSERT_TRUE(to.ok());
  MigrateOptions o = Options(*to);
  o.backup_source = false;
  ASSERT_TRUE(MigrateData(o, clock_, nullptr).ok());
  auto again = MigrateData(o, clock_, nullptr);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Find(*again, "posts")->target_rows, 2000);
  EXPECT_EQ(Count(*to, "posts"), 2000);
}

TEST_F(MigrateDataTest, CorruptedTargetIsRolledBackAndTheDifferenceNamed) {
  MakeSource(3000);
  auto to = testing::FreshDatabaseUrl();
  ASSERT_TRUE(to.ok());
  {  // The schema, plus a trigger that silently alters one post in seven as it is written.
    StoreConfig sc;
    sc.database_url = *to;
    ASSERT_TRUE(OpenStore(sc, clock_).ok());
    auto conn = pg::PgConnection::Connect(*to, 10'000, 10);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Exec(R"(
      CREATE FUNCTION corrupt() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id % 7 = 0 THEN NEW.content := NEW.content || ' (altered)'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER corrupt BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION corrupt();
    )").ok());
  }
  MigrateOptions o = Options(*to);
  o.backup_source = false;
  o.sample_rows = 500;
  auto r = MigrateData(o, clock_, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("rolled back"), std::string::npos);
  EXPECT_NE(r.status().message().find("content is '"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("(altered)"), std::string::npos);
  // Nothing was committed.
  EXPECT_EQ(Count(*to, "posts"), 0);
  EXPECT_EQ(Count(*to, "api_tokens"), 0);
  EXPECT_EQ(Count(*to, "jobs"), 0);
  EXPECT_EQ(Count(*to, "post_rollup"), 0);
}

TEST_F(MigrateDataTest, TargetWithForeignRowsIsRolledBackUntouched) {
  MakeSource(1000);
  auto to = testing::FreshDatabaseUrl();
  ASSERT_TRUE(to.ok());
  StoreConfig sc;
  sc.database_url = *to;
  {
    auto store = OpenStore(sc, clock_);
    ASSERT_TRUE(store.ok());
    auto stray = testing::MakePosts(1, 77);
    stray[0].external_id = "stray";
    ASSERT_TRUE((*store)->UpsertPosts(stray).ok());  // id 1: collides with the source's id 1
  }
  MigrateOptions o = Options(*to);
  o.backup_source = false;
  auto r = MigrateData(o, clock_, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("rolled back"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("posts: 1 row(s) of the target have a source row's id but are "
                                      "different (source, external_id), e.g. id 1"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(Count(*to, "posts"), 1);
  auto store = OpenStore(sc, clock_);
  ASSERT_TRUE(store.ok());
  auto p = (*store)->GetPost(1);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->external_id, "stray");
}

TEST_F(MigrateDataTest, PredecessorSchemaIsMapped) {
  auto from = testing::FreshDatabaseUrl();
  auto to = testing::FreshDatabaseUrl();
  ASSERT_TRUE(from.ok() && to.ok());
  {
    auto conn = pg::PgConnection::Connect(*from, 10'000, 10);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Exec(R"(
      CREATE TABLE posts (
        id serial PRIMARY KEY, source varchar(50), author varchar(200), content text,
        url text, created_at timestamp, sentiment_score real, sentiment_label varchar(20),
        language varchar(5), country varchar(50), relevance_score real,
        is_answered boolean DEFAULT false, product varchar(100), legacy_flag int);
      INSERT INTO posts (source, author, content, url, created_at, sentiment_score,
                         sentiment_label, language, country, relevance_score, is_answered,
                         product)
      SELECT CASE WHEN i % 2 = 0 THEN 'twitter' ELSE 'trustpilot' END, 'author ' || i,
             'Serveur en panne ' || i || E'\tencore', 'https://x.example/' || i,
             timestamp '2023-01-01' + i * interval '1 hour', (i % 10) / 10.0,
             'negative', 'fr', 'FR', 0.5, i % 3 = 0, 'vps'
      FROM generate_series(1, 1000) i;
      INSERT INTO posts (source, content) VALUES (NULL, NULL);
    )").ok());
  }
  MigrateOptions o;
  o.from_url = *from;
  o.to_url = *to;
  o.data_dir = dir_.string();
  o.seed = 7;
  auto report = MigrateData(o, clock_, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->source_kind, "legacy-postgresql");
  EXPECT_TRUE(report->backup_path.ends_with(".dump")) << report->backup_path;
  EXPECT_EQ(Find(*report, "posts")->target_rows, 1001);
  bool noted = false;
  for (const auto& n : report->notes) noted = noted || n.find("legacy_flag") != std::string::npos;
  EXPECT_TRUE(noted);
  StoreConfig sc;
  sc.database_url = *to;
  auto store = OpenStore(sc, clock_);
  ASSERT_TRUE(store.ok());
  auto p = (*store)->GetPost(3);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->source, "trustpilot");
  EXPECT_EQ(p->external_id, "legacy-3");
  EXPECT_EQ(p->author, "author 3");
  EXPECT_EQ(p->created_at, 1'672'531'200 + 3 * 3600);
  EXPECT_TRUE(p->answered);
  EXPECT_EQ(p->product, "vps");
  EXPECT_FLOAT_EQ(p->sentiment_score, 0.3f);
  auto empty = (*store)->GetPost(1001);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->source, "legacy");
  // Again: nothing changes.
  auto again = MigrateData(o, clock_, nullptr);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
}

}  // namespace
}  // namespace ct
