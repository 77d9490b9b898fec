// `complaints scrape` and `complaints parse` as a user runs them: the real binary (posix_spawn),
// a local replay server for the fixtures, and the output checked line by line.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include <gtest/gtest.h>

#include "fetch/testing/local_http_server.h"

extern char** environ;

namespace ct {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::LocalHttpServer;
using testing::ServerReply;
using testing::ServerRequest;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Fixture(const std::string& rel) {
  return ReadFile(fs::path(CT_SOURCE_DIR) / "tests/fixtures/sources" / rel);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

// Runs build/complaints with `args`; stdout and stderr go to files in `dir`.
CliRun Complaints(const fs::path& dir, std::vector<std::string> args) {
  args.insert(args.begin(), CT_BINARY_DIR "/complaints");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out = (dir / "stdout").string(), err = (dir / "stderr").string();
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  CliRun r;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&fa);
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

class CliScrapeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ct_cli_scrape_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    server_ = std::make_unique<LocalHttpServer>([](const ServerRequest& r) {
      // Reddit: the JSON listing blocked, its RSS feed served (the automatic fallback).
      if (r.path == "/search.json") return ServerReply{.status = 403, .body = "blocked"};
      if (r.path == "/search.rss") {
        return ServerReply{.headers = {{"Content-Type", "application/atom+xml"}},
                           .body = Fixture("reddit/search.rss")};
      }
      if (r.path != "/api/v1/search_by_date") return ServerReply{.status = 404};
      return ServerReply{.headers = {{"Content-Type", "application/json"}},
                         .body = Fixture(r.Param("page") == "1" ? "hackernews/page2.json"
                                                                : "hackernews/search_by_date.json")};
    });
    ASSERT_TRUE(server_->Start().ok());
    config_ = dir_ / "config.toml";
    std::ofstream(config_) << "data_dir = \"" << dir_.string() << "\"\n"
                           << "[store]\ndatabase_url = \"sqlite:" << (dir_ / "posts.db").string()
                           << "\"\n[log]\nlevel = \"warn\"\n"
                           << "[fetch]\nallow_networks = [\"127.0.0.1/32\"]\n"
                           << "[sources.hackernews]\nbase_url = \"" << server_->Url("")
                           << "\"\npage_size = 3\n"
                           << "[sources.reddit]\nbase_url = \"" << server_->Url("") << "\"\n";
  }
  void TearDown() override {
    server_->Stop();
    fs::remove_all(dir_);
  }

  fs::path dir_, config_;
  std::unique_ptr<LocalHttpServer> server_;
};

TEST_F(CliScrapeTest, TheSummarySaysWhenTheFallbackWasUsed) {
  CliRun r = Complaints(dir_, {"--config", config_.string(), "scrape", "reddit", "--query", "ovh"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("reddit 'ovh': 1 pages"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(", via fallback rss: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("403"), std::string::npos) << "the summary says why: " << r.err;
}

TEST_F(CliScrapeTest, DryRunPrintsThePostsAndStoresNothing) {
  CliRun r = Complaints(dir_, {"--config", config_.string(), "scrape", "hackernews", "--query", "ovh",
                            "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 5u) << r.out;
  for (const std::string& line : lines) {
    const json post = json::parse(line);
    EXPECT_EQ(post["source"], "hackernews");
    EXPECT_FALSE(post["sentiment_label"].get<std::string>().empty()) << "analysed";
  }
  EXPECT_EQ(json::parse(lines[0])["external_id"], "41234901");
  EXPECT_NE(r.err.find("hackernews 'ovh': 2 pages, 5 fetched, 5 new"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "posts.db")) << "a dry run opens no store";
}

TEST_F(CliScrapeTest, ScrapeStoresAndPrintsTheSummary) {
  CliRun r = Complaints(dir_, {"--config", config_.string(), "scrape", "hackernews", "--query", "ovh"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json summary = json::parse(r.out);
  EXPECT_EQ(summary["new"], 5);
  EXPECT_EQ(summary["pages"], 2);
  // Second run: the cursor stops at known items.
  CliRun again = Complaints(dir_, {"--config", config_.string(), "scrape", "hackernews", "--query", "ovh"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["new"], 0);
  EXPECT_TRUE(fs::exists(dir_ / "source_state.json"));
}

TEST_F(CliScrapeTest, UnknownAndDisabledSourcesAreUsageErrors) {
  CliRun unknown = Complaints(dir_, {"--config", config_.string(), "scrape", "myspace"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown source 'myspace' (known: hackernews"), std::string::npos)
      << unknown.err;
  CliRun disabled = Complaints(dir_, {"--config", config_.string(), "scrape", "nitter", "--dry-run"});
  EXPECT_EQ(disabled.exit_code, 2);
  EXPECT_NE(disabled.err.find("is disabled"), std::string::npos) << disabled.err;
}

TEST_F(CliScrapeTest, ParsePrintsWhatAnAdapterExtracts) {
  CliRun r = Complaints(dir_, {"--config", config_.string(), "parse", "--kind", "trustpilot",
                            std::string(CT_SOURCE_DIR) + "/tests/fixtures/sources/trustpilot/review_page.html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(json::parse(lines[0])["rating"], 1.0);
  EXPECT_NE(r.err.find("3 posts"), std::string::npos) << r.err;

  CliRun drift = Complaints(dir_, {"--config", config_.string(), "parse", "--kind", "hackernews",
                                std::string(CT_SOURCE_DIR) + "/tests/fixtures/sources/hackernews/drift.json"});
  EXPECT_EQ(drift.exit_code, 1);
  EXPECT_NE(drift.err.find("parse drift in hackernews"), std::string::npos) << drift.err;
  EXPECT_TRUE(drift.out.empty());

  CliRun bad_kind = Complaints(dir_, {"--config", config_.string(), "parse", "--kind", "myspace",
                                   config_.string()});
  EXPECT_EQ(bad_kind.exit_code, 2);
  EXPECT_NE(bad_kind.err.find("unknown kind 'myspace' (known: discourse"), std::string::npos) << bad_kind.err;
}

}  // namespace
}  // namespace ct
