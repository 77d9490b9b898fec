// The scrape job types against a local replay server (with faults), the real Fetcher, adapters,
// Analyzer and SQLite store: through the registry's handlers, and once through the real worker
// and SQL queue with a real child process (this binary is its own `run-job` child, see main).
#include "jobs/scrape_jobs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "fetch/testing/local_http_server.h"
#include "jobs/builtin_jobs.h"
#include "jobs/job_child.h"
#include "jobs/process_group.h"
#include "jobs/worker.h"
#include "queue/sql/sql_job_queue.h"
#include "store/store.h"

namespace ct {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::LocalHttpServer;
using testing::ServerReply;
using testing::ServerRequest;

constexpr char kConfigEnv[] = "CT_SCRAPE_JOBS_TEST_CONFIG";

std::string Fixture(const std::string& rel) {
  std::ifstream in(std::string(CT_SOURCE_DIR) + "/tests/fixtures/sources/" + rel, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ScrapeJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ct_scrape_jobs_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    server_ = std::make_unique<LocalHttpServer>([this](const ServerRequest& r) { return Route(r); });
    ASSERT_TRUE(server_->Start().ok());
    toml_ = "data_dir = \"" + dir_.string() + "\"\n" +
            "[store]\ndatabase_url = \"sqlite:" + (dir_ / "posts.db").string() + "\"\n" +
            "[fetch]\nallow_networks = [\"127.0.0.1/32\"]\nhost_requests_per_second = 1000\n" +
            "[sources.hackernews]\nbase_url = \"" + server_->Url("") +
            "\"\nqueries = [\"ovh\", \"ovhcloud\"]\npage_size = 3\nburst = 50\n" +
            "requests_per_minute = 6000\n" +
            "[sources.reddit]\nbase_url = \"" + server_->Url("") +
            "\"\nqueries = [\"ovh\"]\nburst = 50\nrequests_per_minute = 6000\n";
    auto config = LoadConfigFromString(toml_, {});
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    // Only the two local sources are enabled (the others would go to the internet).
    for (SourceConfig& s : config->sources) s.enabled = s.name == "hackernews" || s.name == "reddit";
    config_ = *config;
  }
  void TearDown() override {
    server_->Stop();
    fs::remove_all(dir_);
  }

  ServerReply Route(const ServerRequest& r) {
    if (r.path == "/api/v1/search_by_date") {
      return {.headers = {{"Content-Type", "application/json"}},
              .body = Fixture(r.Param("page") == "1" ? "hackernews/page2.json"
                                                     : "hackernews/search_by_date.json")};
    }
    if (r.path == "/search.json") {
      if (reddit_429_) return {.status = 429, .headers = {{"Retry-After", "90"}}};
      return {.headers = {{"Content-Type", "application/json"}}, .body = Fixture("reddit/search.json")};
    }
    return {.status = 404};
  }

  // A registry whose scrape types use `config_`, the fake clock and a sleeper that advances it.
  void Register() {
    ScrapeJobOptions o;
    o.config = config_;
    o.sleep = [this](std::int64_t ms, const std::function<bool()>& cancelled) {
      clock_.AdvanceMicros(ms * 1000);
      return cancelled() ? Status::Aborted("cancelled") : Status::Ok();
    };
    o.uniform01 = [] { return 0.5; };
    ASSERT_TRUE(RegisterScrapeJobs(registry_, ScrapeJobDeps{o, clock_}).ok());
  }

  struct Outcome {
    Result<std::string> result;
    std::vector<JobProgress> progress;
    std::optional<std::int64_t> retry_after_ms;
  };
  Outcome Run(const std::string& type, const std::string& payload, bool cancel = false) {
    const JobTypeSpec* spec = registry_.Find(type);
    EXPECT_NE(spec, nullptr);
    std::vector<JobProgress> progress;
    std::atomic<bool> cancelled{cancel};
    JobContext ctx("job-1", type, payload, 1,
                   [&](const JobProgress& p) { progress.push_back(p); }, &cancelled);
    Result<std::string> r = spec->handler(ctx);
    return {std::move(r), std::move(progress), ctx.retry_after_ms()};
  }

  std::int64_t StoredPosts() {
    auto store = OpenStore(config_.store, clock_);
    EXPECT_TRUE(store.ok());
    auto page = (*store)->ListPosts(PostPageRequest{});
    EXPECT_TRUE(page.ok());
    return static_cast<std::int64_t>(page->items.size());
  }

  fs::path dir_;
  FakeClock clock_{1'747'300'000'000'000};
  std::unique_ptr<LocalHttpServer> server_;
  std::atomic<bool> reddit_429_{false};
  std::string toml_;
  AppConfig config_;
  JobRegistry registry_;
};

TEST_F(ScrapeJobsTest, ScrapeRunsEveryQueryStoresPostsAndReportsRealProgress) {
  Register();
  Outcome o = Run("scrape", R"({"source":"hackernews"})");
  ASSERT_TRUE(o.result.ok()) << o.result.status().ToString();
  const json r = json::parse(*o.result);
  EXPECT_EQ(r["source"], "hackernews");
  EXPECT_EQ(r["pages"], 4);  // two pages per query
  EXPECT_EQ(r["fetched"], 10);
  EXPECT_EQ(r["new"], 5);
  EXPECT_EQ(r["duplicates"], 5);  // the second query finds the same stories
  ASSERT_EQ(r["queries"].size(), 2u);
  EXPECT_EQ(r["queries"][0]["query"], "ovh");
  EXPECT_EQ(r["queries"][1]["query"], "ovhcloud");
  EXPECT_EQ(StoredPosts(), 5);

  ASSERT_GE(o.progress.size(), 3u);
  EXPECT_EQ(o.progress.front().done, 0);
  EXPECT_EQ(o.progress.front().total, 10);  // 2 queries x max_pages 5
  for (std::size_t i = 1; i < o.progress.size(); ++i)
    EXPECT_GE(o.progress[i].done, o.progress[i - 1].done);
  EXPECT_EQ(o.progress.back().done, 4);
  EXPECT_EQ(o.progress.back().total, 4);  // pages not needed are given back
  EXPECT_NE(o.progress.back().message.find("10 items so far"), std::string::npos)
      << o.progress.back().message;

  // The payload's query replaces the configured ones; the cursor stops it after one page.
  Outcome again = Run("scrape", R"({"source":"hackernews","query":"ovh"})");
  ASSERT_TRUE(again.result.ok()) << again.result.status().ToString();
  EXPECT_EQ(json::parse(*again.result)["pages"], 1);
  EXPECT_EQ(json::parse(*again.result)["new"], 0);
}

TEST_F(ScrapeJobsTest, LimitCapsTheItems) {
  Register();
  Outcome o = Run("scrape", R"({"source":"hackernews","limit":2})");
  ASSERT_TRUE(o.result.ok()) << o.result.status().ToString();
  EXPECT_EQ(json::parse(*o.result)["fetched"], 2);
  EXPECT_EQ(StoredPosts(), 2);
}

TEST_F(ScrapeJobsTest, ValidatorsNameTheFieldAndTheKnownSources) {
  Register();
  auto msg = [&](const std::string& type, const std::string& payload) {
    Status s = registry_.ValidatePayload(type, payload);
    return s.ok() ? std::string("ok") : s.message();
  };
  EXPECT_EQ(msg("scrape", R"({"source":"hackernews","query":"x","limit":5})"), "ok");
  EXPECT_NE(msg("scrape", R"({"source":"myspace"})").find("payload.source names unknown source 'myspace' (known: hackernews, "),
            std::string::npos) << msg("scrape", R"({"source":"myspace"})");
  EXPECT_NE(msg("scrape", R"({"source":"nitter"})").find("disabled"), std::string::npos);
  EXPECT_NE(msg("scrape", R"({"source":"hackernews","limit":0})").find("payload.limit"), std::string::npos);
  EXPECT_NE(msg("scrape", R"({"source":"hackernews","qeury":"x"})").find("qeury"), std::string::npos);
  EXPECT_NE(msg("scrape", R"({})").find("payload.source"), std::string::npos);
  EXPECT_EQ(msg("scrape_all", R"({"sources":["hackernews","reddit"],"queries":["ovh"]})"), "ok");
  EXPECT_NE(msg("scrape_all", R"({"sources":["hackernews","bogus"]})").find("payload.sources names unknown source 'bogus'"),
            std::string::npos);
  EXPECT_NE(msg("scrape_all", R"({"queries":[""]})").find("payload.queries"), std::string::npos);
  EXPECT_NE(msg("auto_scrape", R"({"x":1})").find("x"), std::string::npos);
}

TEST_F(ScrapeJobsTest, UnknownAndDisabledSourcesFailPermanently) {
  // The worker may run with another config than the API that validated the payload.
  Register();
  config_.sources.erase(std::remove_if(config_.sources.begin(), config_.sources.end(),
                                       [](const SourceConfig& s) { return s.name == "reddit"; }),
                        config_.sources.end());
  for (SourceConfig& s : config_.sources)
    if (s.name == "hackernews") s.enabled = false;
  JobRegistry other;
  registry_ = std::move(other);
  Register();
  // The handler is called directly: the validator would refuse these payloads already.
  Outcome unknown = Run("scrape", R"({"source":"reddit"})");
  ASSERT_FALSE(unknown.result.ok());
  EXPECT_EQ(unknown.result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(unknown.result.status().transient());
  EXPECT_NE(unknown.result.status().message().find("unknown source 'reddit' (known: hackernews"),
            std::string::npos) << unknown.result.status().message();
  Outcome disabled = Run("scrape", R"({"source":"hackernews"})");
  ASSERT_FALSE(disabled.result.ok());
  EXPECT_FALSE(disabled.result.status().transient());
  EXPECT_NE(disabled.result.status().message().find("source 'hackernews' is disabled"), std::string::npos)
      << disabled.result.status().message();
}

TEST_F(ScrapeJobsTest, TooManyRequestsIsTransientWithTheRetryAfter) {
  reddit_429_ = true;
  Register();
  Outcome o = Run("scrape", R"({"source":"reddit"})");
  ASSERT_FALSE(o.result.ok());
  EXPECT_EQ(o.result.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(o.result.status().transient());
  EXPECT_GE(o.retry_after_ms.value_or(0), 90'000);
}

TEST_F(ScrapeJobsTest, ScrapeAllGoesPastAFailingSourceAndListsIt) {
  reddit_429_ = true;
  Register();
  Outcome o = Run("scrape_all", R"({"sources":["reddit","hackernews"],"queries":["ovh"]})");
  ASSERT_TRUE(o.result.ok()) << o.result.status().ToString();
  const json r = json::parse(*o.result);
  EXPECT_EQ(r["new"], 5);
  ASSERT_EQ(r["sources"].size(), 1u);
  EXPECT_EQ(r["sources"][0]["source"], "hackernews");
  ASSERT_EQ(r["failed"].size(), 1u);
  EXPECT_EQ(r["failed"][0]["source"], "reddit");
  EXPECT_EQ(r["failed"][0]["transient"], true);
  EXPECT_EQ(StoredPosts(), 5);
}

TEST_F(ScrapeJobsTest, AutoScrapeCoversEveryEnabledSourceAndFailsOnlyWhenAllFail) {
  Register();
  Outcome ok = Run("auto_scrape", "{}");
  ASSERT_TRUE(ok.result.ok()) << ok.result.status().ToString();
  const json r = json::parse(*ok.result);
  ASSERT_EQ(r["sources"].size(), 2u);
  EXPECT_EQ(r["failed"].size(), 0u);
  EXPECT_GT(r["new"].get<int>(), 5);  // hackernews + reddit

  // Every source failing: the job fails transiently, with the longest Retry-After.
  server_->Stop();
  server_ = std::make_unique<LocalHttpServer>([](const ServerRequest&) {
    return ServerReply{.status = 429, .headers = {{"Retry-After", "120"}}};
  });
  ASSERT_TRUE(server_->Start().ok());
  for (SourceConfig& s : config_.sources)
    if (s.enabled) s.base_url = server_->Url("");
  registry_ = JobRegistry{};
  Register();
  Outcome all_failed = Run("auto_scrape", "{}");
  ASSERT_FALSE(all_failed.result.ok());
  EXPECT_TRUE(all_failed.result.status().transient());
  EXPECT_NE(all_failed.result.status().message().find("every source failed"), std::string::npos);
  EXPECT_GE(all_failed.retry_after_ms.value_or(0), 120'000);
}

TEST_F(ScrapeJobsTest, CancelledJobStopsBeforeFetching) {
  Register();
  Outcome o = Run("scrape", R"({"source":"hackernews"})", /*cancel=*/true);
  ASSERT_FALSE(o.result.ok());
  EXPECT_EQ(o.result.status().code(), StatusCode::kAborted);
  EXPECT_EQ(server_->requests(), 0);
}

// The production path: SQL queue -> Worker -> child process (`run-job`) -> handler -> store.
// Through the queue: a real Worker claims the job and runs it in a child process (this test
// binary in run-job mode, with the config written to kConfigEnv), against the local server.
Job RunThroughTheQueue(const fs::path& dir, const std::string& toml, const std::string& type,
                       const std::string& payload) {
  EXPECT_TRUE(BecomeChildSubreaper().ok());
  const fs::path config_path = dir / "config.toml";
  std::ofstream(config_path) << toml;
  ::setenv(kConfigEnv, config_path.c_str(), 1);
  SystemClock clock;
  auto queue = OpenSqlJobQueue("sqlite:" + (dir / "jobs.db").string(), QueueSqlOptions{}, clock);
  EXPECT_TRUE(queue.ok()) << queue.status().ToString();
  if (!queue.ok()) return Job{};
  JobRegistry registry;
  auto config = LoadConfig(config_path.string(), {});
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  if (!config.ok()) return Job{};
  EXPECT_TRUE(RegisterBuiltinJobs(registry, BuiltinJobOptionsFromConfig(*config, {}), clock).ok());
  WorkerOptions wo;
  wo.id = "w1";
  wo.concurrency = 1;
  wo.lease_ms = 5000;
  wo.heartbeat_ms = 100;
  wo.idle_wait_ms = 50;
  wo.binary = CT_BINARY_DIR "/src/jobs/scrape_jobs_test";
  Worker worker(**queue, registry, wo, clock);
  EXPECT_TRUE(worker.Start().ok());
  EnqueueRequest req;
  req.type = type;
  req.payload_json = payload;
  EXPECT_TRUE(registry.ValidatePayload(req.type, req.payload_json).ok());
  auto e = (*queue)->Enqueue(req);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  Job job;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (e.ok() && std::chrono::steady_clock::now() < end) {
    job = (*queue)->Get(e->job.id).value();
    if (job.state == JobState::kSucceeded || job.state == JobState::kDead) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling the queue's state
  }
  worker.Stop();
  return job;
}

TEST_F(ScrapeJobsTest, WorkerRunsAScrapeInAChildProcess) {
  const Job job = RunThroughTheQueue(dir_, toml_, "scrape", R"({"source":"hackernews","query":"ovh"})");
  ASSERT_EQ(job.state, JobState::kSucceeded) << job.last_error;
  const json r = json::parse(job.result_json);
  EXPECT_EQ(r["new"], 5);
  EXPECT_EQ(job.progress.done, 2);
  EXPECT_EQ(job.progress.total, 2);
  EXPECT_EQ(StoredPosts(), 5);
}

TEST_F(ScrapeJobsTest, ScrapeAllRunsThroughTheQueueEndToEnd) {
  const Job job = RunThroughTheQueue(dir_, toml_, "scrape_all",
                                     R"({"sources":["hackernews","reddit"],"queries":["ovh"]})");
  ASSERT_EQ(job.state, JobState::kSucceeded) << job.last_error;
  const json r = json::parse(job.result_json);
  ASSERT_EQ(r["sources"].size(), 2u) << r.dump();
  EXPECT_TRUE(r["failed"].empty()) << r.dump();
  EXPECT_GT(r["new"].get<int>(), 5) << "more than Hacker News alone: " << r.dump();
  EXPECT_EQ(StoredPosts(), r["new"].get<int>()) << "every new post is stored";
  EXPECT_EQ(job.progress.done, job.progress.total) << "progress ran to its end";
  EXPECT_GT(job.progress.total, 0);
}

// `run-job` child mode: the scrape types with the config named by kConfigEnv.
int RunAsJobChild(int argc, char** argv) {
  JobChildArgs args;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--type") == 0) args.type = argv[++i];
    else if (std::strcmp(argv[i], "--job-id") == 0) args.job_id = argv[++i];
    else if (std::strcmp(argv[i], "--attempt") == 0) args.attempt = std::atoi(argv[++i]);
  }
  args.payload_json.assign(std::istreambuf_iterator<char>(std::cin), {});
  const char* path = std::getenv(kConfigEnv);
  auto config = LoadConfig(path ? path : "", {});
  if (!config.ok()) return 4;
  SystemClock clock;
  JobRegistry registry;
  if (!RegisterBuiltinJobs(registry, BuiltinJobOptionsFromConfig(*config, {}), clock).ok()) return 4;
  std::atomic<bool> cancel{false};
  return RunJobChild(registry, args, cancel, stdout);
}

}  // namespace
}  // namespace ct

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "run-job") == 0) return ct::RunAsJobChild(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
