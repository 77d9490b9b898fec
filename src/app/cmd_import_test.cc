// `complaints import` as an operator runs it, on a SQLite file: bad lines reported by number and
// the good ones stored; a second run changes nothing; a file the store refuses part-way stores
// nothing at all (the import is one transaction).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/clock.h"
#include "core/config.h"
#include "jobs/process_group.h"
#include "store/store.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  ExitInfo exit;
  std::string out;
  std::string err;
};

class ImportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ct_import_cli_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string DatabaseUrl() const { return "sqlite:" + (dir_ / "complaints.db").string(); }

  CliRun Import(const std::string& lines) {
    const fs::path file = dir_ / "posts.jsonl";
    std::ofstream(file) << lines;
    SpawnOptions o;
    o.argv = {CT_BINARY_DIR "/complaints", "import", file.string()};
    o.extra_env = {"DATABASE_URL=" + DatabaseUrl(), "COMPLAINTS_DATA_DIR=" + dir_.string()};
    auto g = ProcessGroup::Spawn(o);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    CliRun r;
    while (!(*g)->stdout_closed()) {
      for (const std::string& line : (*g)->ReadLines(1000)) r.out += line + "\n";
    }
    r.exit = (*g)->Wait();
    r.err = (*g)->stderr_tail();
    return r;
  }

  std::int64_t StoredPosts() {
    StoreConfig config;
    config.database_url = DatabaseUrl();
    SystemClock clock;
    auto store = OpenStore(config, clock);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return -1;
    PostFilter all;
    all.false_positive = std::nullopt;
    auto stats = (*store)->Stats(all, StatsBucket::kMonth);
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    return stats.ok() ? stats->total : -1;
  }

  fs::path dir_;
};

std::string Line(const std::string& id, const std::string& created_at = "1700000000") {
  return R"({"source":"reddit","external_id":")" + id + R"(","url":"https://reddit.com/)" + id +
         R"(","title":"Panne )" + id + R"(","content":"Le serveur )" + id +
         R"( ne répond plus","created_at":)" + created_at + R"(,"collected_at":1700000100})" + "\n";
}

// Lines carry collected_at: without it, import stamps the time of the run, and a later run of
// the same file updates collected_at.
TEST_F(ImportCliTest, BadLinesAreNamedAndASecondRunChangesNothing) {
  const std::string file = Line("a") + "{not json\n" + Line("b") + Line("c");
  CliRun r = Import(file);
  EXPECT_EQ(r.exit.exit_code, 1) << r.exit.ToString() << r.err;  // bad lines fail the run
  EXPECT_NE(r.err.find("line 2:"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("3 inserted, 0 updated, 0 unchanged, 1 bad lines"), std::string::npos)
      << r.out;
  EXPECT_EQ(StoredPosts(), 3);

  r = Import(file);
  EXPECT_NE(r.out.find("0 inserted, 0 updated, 3 unchanged, 1 bad lines"), std::string::npos)
      << r.out;
  EXPECT_EQ(StoredPosts(), 3);
}

TEST_F(ImportCliTest, AFileTheStoreRefusesStoresNothing) {
  ASSERT_TRUE(Import(Line("a")).exit.success());
  // Many good lines (several batches), then one the store refuses: created_at beyond the search
  // key's range (year 2128).
  std::string file;
  for (int i = 0; i < 2500; ++i) file += Line("n" + std::to_string(i));
  file += Line("late", "5000000000");
  const CliRun r = Import(file);
  EXPECT_NE(r.exit.exit_code, 0) << r.out;
  EXPECT_NE(r.err.find("nothing was stored"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("created_at"), std::string::npos) << r.err;
  EXPECT_EQ(StoredPosts(), 1);
}

}  // namespace
}  // namespace ct
