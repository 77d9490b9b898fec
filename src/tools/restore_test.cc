// Backup (jobs/backup_job.h) + restore round trip on SQLite: the restored database has the
// content the backup was taken from, table by table (FTS shadow tables and rollups included).
#include "tools/restore.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/config.h"
#include "jobs/backup_job.h"
#include "store/store.h"
#include "tools/testing_data.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ct_restore_test_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "complaints.db").string();
    config_.database_url = "sqlite:" + db_;
  }
  void TearDown() override { fs::remove_all(dir_); }

  JobContext Ctx() { return JobContext("t", "restore", "{}", 1, nullptr, &cancel_); }

  fs::path dir_;
  std::string db_;
  StoreConfig config_;
  FakeClock clock_{1'700'000'000'000'000};
  std::atomic<bool> cancel_{false};
};

TEST_F(RestoreTest, BackupRestoresToIdenticalContent) {
  {
    auto store = OpenStore(config_, clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto posts = testing::MakePosts(3000);
    ASSERT_TRUE((*store)->UpsertPosts(posts).ok());
    ApiToken token{0, "care-team", Role::kOperator, std::string(64, 'a'), 1'700'000'000, {}};
    ASSERT_TRUE((*store)->CreateToken(token).ok());
  }
  auto before = testing::SqliteFingerprint(db_);
  ASSERT_TRUE(before.ok()) << before.status().ToString();

  JobContext ctx = Ctx();
  BackupOptions b{config_.database_url, dir_.string()};
  auto backup = RunBackup(b, clock_, ctx);
  ASSERT_TRUE(backup.ok()) << backup.status().ToString();
  const std::string path = nlohmann::json::parse(*backup)["path"];

  {  // Changes after the backup: new posts, triage, a revoked token.
    auto store = OpenStore(config_, clock_);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->UpsertPosts(testing::MakePosts(500, 1)).ok());
    TriagePatch patch;
    patch.answered = true;
    patch.actor = "someone";
    patch.now = 1'700'000'100;
    ASSERT_TRUE((*store)->UpdateTriage(2, patch).ok());
    ASSERT_TRUE((*store)->RevokeToken(1, 1'700'000'200).ok());
  }
  auto changed = testing::SqliteFingerprint(db_);
  ASSERT_TRUE(changed.ok());
  ASSERT_NE(*changed, *before);

  auto restored = RestoreBackup({config_.database_url, path}, ctx);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  auto after = testing::SqliteFingerprint(db_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);

  // The store opens it and serves what was there.
  auto store = OpenStore(config_, clock_);
  ASSERT_TRUE(store.ok());
  auto post = (*store)->GetPost(2);
  ASSERT_TRUE(post.ok());
  EXPECT_FALSE(post->answered);
  auto tokens = (*store)->ListTokens();
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_FALSE((*tokens)[0].revoked_at.has_value());

  auto listed = ListBackups((dir_ / "backups").string());
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, std::vector<std::string>{fs::path(path).filename().string()});
}

TEST_F(RestoreTest, RefusesADamagedBackupAndLeavesTheDatabaseAlone) {
  {
    auto store = OpenStore(config_, clock_);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->UpsertPosts(testing::MakePosts(200)).ok());
  }
  auto before = testing::SqliteFingerprint(db_);
  ASSERT_TRUE(before.ok());
  const std::string bad = (dir_ / "complaints-20240101T000000Z.db").string();
  std::ofstream(bad) << "this is not a database";
  JobContext ctx = Ctx();
  auto r = RestoreBackup({config_.database_url, bad}, ctx);
  ASSERT_FALSE(r.ok());
  auto after = testing::SqliteFingerprint(db_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);
}

TEST_F(RestoreTest, RefusesTheOtherBackendsFormat) {
  const std::string dump = (dir_ / "complaints-20240101T000000Z.dump").string();
  std::ofstream(dump) << "PGDMP";
  JobContext ctx = Ctx();
  auto r = RestoreBackup({config_.database_url, dump}, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(RestoreBackup({config_.database_url, (dir_ / "none.db").string()}, ctx).ok());
}

}  // namespace
}  // namespace ct
