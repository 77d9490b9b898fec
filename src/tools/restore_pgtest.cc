// Backup (pg_dump -Fc, jobs/backup_job.h) + restore (pg_restore --single-transaction) round
// trip on a real PostgreSQL: every table's rows are identical after the restore.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/config.h"
#include "jobs/backup_job.h"
#include "store/store.h"
#include "support/pg_server.h"
#include "tools/restore.h"
#include "tools/testing_data.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

TEST(RestorePgTest, BackupRestoresToIdenticalContent) {
  auto url = testing::FreshDatabaseUrl();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  const fs::path dir = fs::temp_directory_path() / ("ct_restore_pgtest_" + std::to_string(getpid()));
  fs::remove_all(dir);
  StoreConfig config;
  config.database_url = *url;
  FakeClock clock(1'700'000'000'000'000);
  {
    auto store = OpenStore(config, clock);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->UpsertPosts(testing::MakePosts(2000)).ok());
    ApiToken token{0, "care-team", Role::kAdmin, std::string(64, 'b'), 1'700'000'000, {}};
    ASSERT_TRUE((*store)->CreateToken(token).ok());
  }
  auto before = testing::PgFingerprint(*url);
  ASSERT_TRUE(before.ok()) << before.status().ToString();

  std::atomic<bool> cancel{false};
  JobContext ctx("t", "backup", "{}", 1, nullptr, &cancel);
  auto backup = RunBackup({*url, dir.string()}, clock, ctx);
  ASSERT_TRUE(backup.ok()) << backup.status().ToString();
  const std::string path = nlohmann::json::parse(*backup)["path"];
  ASSERT_TRUE(path.ends_with(".dump"));

  {
    auto store = OpenStore(config, clock);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->UpsertPosts(testing::MakePosts(300, 1)).ok());
    TriagePatch patch;
    patch.false_positive = true;
    ASSERT_TRUE((*store)->UpdateTriage(5, patch).ok());
    ASSERT_TRUE((*store)->RevokeToken(1, 1'700'000'300).ok());
  }
  auto changed = testing::PgFingerprint(*url);
  ASSERT_TRUE(changed.ok());
  ASSERT_NE(*changed, *before);

  auto restored = RestoreBackup({*url, path}, ctx);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  auto after = testing::PgFingerprint(*url);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);

  // The restored database still works as a store (triggers, identity, migrations).
  auto store = OpenStore(config, clock);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto more = (*store)->UpsertPosts(testing::MakePosts(10, 2));
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  EXPECT_EQ(more->inserted, 10);
  fs::remove_all(dir);
}

// Since store/postgres migration 0005 the search functions name ct_search_words with its
// schema, so a backup restores with plain pg_restore (empty search_path) into a fresh database,
// long posts (> 2047 bytes: ct_search_words' branch) included, and search works there.
TEST(RestorePgTest, PlainPgRestoreIntoAFreshDatabase) {
  auto url = testing::FreshDatabaseUrl();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  auto target = testing::FreshDatabaseUrl();
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  const fs::path dir =
      fs::temp_directory_path() / ("ct_plain_restore_pgtest_" + std::to_string(getpid()));
  fs::remove_all(dir);
  StoreConfig config;
  config.database_url = *url;
  FakeClock clock(1'700'000'000'000'000);
  {
    auto store = OpenStore(config, clock);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::vector<Post> posts = testing::MakePosts(200);
    posts[7].content = std::string(3000, 'x') + " quokka";
    ASSERT_TRUE((*store)->UpsertPosts(posts).ok());
  }
  auto before = testing::PgFingerprint(*url);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  std::atomic<bool> cancel{false};
  JobContext ctx("t", "backup", "{}", 1, nullptr, &cancel);
  auto backup = RunBackup({*url, dir.string()}, clock, ctx);
  ASSERT_TRUE(backup.ok()) << backup.status().ToString();
  const std::string path = nlohmann::json::parse(*backup)["path"];

  auto pg_restore = FindPgTool("pg_restore");
  ASSERT_TRUE(pg_restore.ok()) << pg_restore.status().ToString();
  const std::string command = "'" + *pg_restore +
                              "' --no-owner --exit-on-error --single-transaction -d '" + *target +
                              "' '" + path + "' 2>&1";
  std::string output;
  {
    FILE* p = popen(command.c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[4096];
    while (std::size_t n = fread(buf, 1, sizeof buf, p)) output.append(buf, n);
    ASSERT_EQ(pclose(p), 0) << output;
  }
  auto after = testing::PgFingerprint(*target);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(*after, *before);

  config.database_url = *target;
  auto store = OpenStore(config, clock);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  PostPageRequest req;
  req.filter.q = "quokka";
  auto page = (*store)->ListPosts(req);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].external_id, "ext-0-7");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ct
