#include "jobs/backup_job.h"

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ct {
namespace {

namespace fs = std::filesystem;

class BackupJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ct_backup_test_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_path_ = (dir_ / "complaints.db").string();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "PRAGMA journal_mode=WAL;"
                           "CREATE TABLE posts(id INTEGER PRIMARY KEY, body TEXT);"
                           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<5000)"
                           " INSERT INTO posts(body) SELECT printf('post %d %s', i, hex(randomblob(64))) FROM n;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    options_.database_url = "sqlite:" + db_path_;
    options_.data_dir = dir_.string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::set<std::string> BackupFiles() const {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_ / "backups")) {
      names.insert(e.path().filename().string());
    }
    return names;
  }

  fs::path dir_;
  std::string db_path_;
  BackupOptions options_;
  std::atomic<bool> cancel_{false};
};

std::int64_t CountPosts(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM posts", -1, &stmt, nullptr);
  std::int64_t n = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

TEST(BackupFileNameTest, FormatsAndParses) {
  EXPECT_EQ(BackupFileName(1700000000, "db"), "complaints-20231114T221320Z.db");
  EXPECT_EQ(ParseBackupFileName("complaints-20231114T221320Z.db"), 1700000000);
  EXPECT_EQ(ParseBackupFileName("complaints-20231114T221320Z.dump"), 1700000000);
  EXPECT_EQ(ParseBackupFileName("complaints-20231114T221320Z.db.partial"), std::nullopt);
  EXPECT_EQ(ParseBackupFileName("notes.txt"), std::nullopt);
  EXPECT_EQ(ParseBackupFileName("complaints-2023111XT221320Z.db"), std::nullopt);
}

TEST_F(BackupJobTest, ProducesAVerifiedCopyWithRealProgress) {
  FakeClock clock(1'700'000'000'000'000);
  std::vector<JobProgress> progress;
  JobContext ctx("j", "backup", "{}", 1, [&](const JobProgress& p) { progress.push_back(p); },
                 &cancel_);
  auto result = RunBackup(options_, clock, ctx);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto json = nlohmann::json::parse(*result);
  const std::string path = json["path"];
  EXPECT_EQ(fs::path(path).filename(), "complaints-20231114T221320Z.db");
  EXPECT_EQ(json["verified"], "ok");
  EXPECT_GT(json["bytes"].get<std::int64_t>(), 0);
  EXPECT_EQ(CountPosts(path), 5000);
  ASSERT_FALSE(progress.empty());
  const JobProgress& copied = progress[progress.size() - 2];
  EXPECT_GT(copied.total, 0);
  EXPECT_EQ(copied.done, copied.total);
  EXPECT_EQ(BackupFiles(), std::set<std::string>{"complaints-20231114T221320Z.db"})
      << "no .partial left behind";
}

TEST_F(BackupJobTest, CorruptSourceFailsTheJob) {
  // Garbage where a page should be: the copy is byte-for-byte, integrity_check catches it.
  {
    std::FILE* f = std::fopen(db_path_.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, 4096 * 3 + 100, SEEK_SET);
    std::string junk(3000, '\x7f');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  FakeClock clock;
  JobContext ctx("j", "backup", "{}", 1, nullptr, &cancel_);
  auto result = RunBackup(options_, clock, ctx);
  ASSERT_FALSE(result.ok());
  EXPECT_FALSE(result.status().transient()) << result.status().ToString();
  EXPECT_TRUE(BackupFiles().empty()) << "a copy that failed verification is not kept";
}

TEST_F(BackupJobTest, MissingDatabaseIsNotFound) {
  options_.database_url = "sqlite:" + (dir_ / "nope.db").string();
  FakeClock clock;
  JobContext ctx("j", "backup", "{}", 1, nullptr, &cancel_);
  auto result = RunBackup(options_, clock, ctx);
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
}

TEST_F(BackupJobTest, RetentionKeepsHourlyAndDailyBuckets) {
  options_.keep_hourly = 3;
  options_.keep_daily = 2;
  // Day 1 at 00:00:00 UTC, then backups every 30 minutes for 50 hours.
  const std::int64_t day1 = 1'699'920'000;  // 2023-11-14T00:00:00Z
  FakeClock clock(day1 * 1'000'000);
  for (int i = 0; i < 100; ++i) {
    JobContext ctx("j", "backup", "{}", 1, nullptr, &cancel_);
    ASSERT_TRUE(RunBackup(options_, clock, ctx).ok());
    clock.AdvanceSeconds(1800);
  }
  // Last backup at day1 + 49.5 h = 2023-11-16T01:30. Hourly: newest of 01:xx, 00:xx (16th) and
  // 23:xx (15th). Daily: newest of the 16th (01:30, already kept) and of the 15th (23:30).
  EXPECT_EQ(BackupFiles(), (std::set<std::string>{"complaints-20231116T013000Z.db",
                                                   "complaints-20231116T003000Z.db",
                                                   "complaints-20231115T233000Z.db"}));
}

TEST(BackupRetentionTest, DefaultPolicyOnNames) {
  std::vector<std::string> names;
  const std::int64_t start = 1'700'000'000 - 1'700'000'000 % 86400;
  for (int h = 0; h < 24 * 40; ++h) names.push_back(BackupFileName(start + h * 3600, "db"));
  names.push_back("unrelated.txt");
  std::vector<std::string> doomed = SelectBackupsToDelete(names, 24, 30);
  // 960 hourly backups: keep the last 24 hours plus the newest of each of 30 days (the last day
  // overlapping the hourly ones): 24 + 29 = 53 kept.
  EXPECT_EQ(doomed.size(), names.size() - 1 - 53);
  for (const std::string& d : doomed) EXPECT_NE(d, "unrelated.txt");
}

}  // namespace
}  // namespace ct
