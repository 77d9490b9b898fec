// Chaos drill: Redis dies under `complaints serve` with 1,000 jobs in flight (DESIGN.md §3
// "Fallback"). A real redis-server with AOF (appendfsync always, as deploy/ runs it) is
// SIGKILLed while workers drain 1,000 `test.count` jobs; more jobs are enqueued during the
// outage (they must land in the SQL queue of the SQLite store); Redis is restarted from its AOF.
// Every job must end `succeeded` and every id be counted by its handler exactly once — a job
// completed during the outage must not run again when its lease is judged after the restart.
// Throughout, a probe keeps requesting GET /posts on the API and none of its requests may fail.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "http_probe.h"
#include "jobs/process_group.h"
#include "queue/fallback_queue.h"
#include "queue/redis/redis_job_queue.h"
#include "queue/redis/testing/redis_server.h"
#include "queue/sql/sql_job_queue.h"
#include "support/eventually.h"

namespace ct {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

using testing::Eventually;
using testing::MsSince;
constexpr int kJobsBefore = 1000;  // enqueued into Redis, in flight when it dies
constexpr int kJobsDuring = 200;   // enqueued while Redis is down: into SQL
constexpr std::int64_t kLeaseMs = 5000;  // the worker's default lease

class RedisOutageChaosTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(BecomeChildSubreaper().ok());
    dir_ = fs::temp_directory_path() / ("ct_redis_chaos_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_url_ = "sqlite:" + (dir_ / "complaints.db").string();
    counter_ = (dir_ / "counted.txt").string();
    testing::RedisServerOptions ro;
    ro.persistent = true;  // AOF, appendfsync always: what Redis accepted survives the kill
    auto redis = testing::RedisServer::Start(ro);
    ASSERT_TRUE(redis.ok()) << redis.status().ToString();
    redis_ = std::move(redis).value();

    auto sql = OpenSqlJobQueue(db_url_, QueueSqlOptions{}, clock_);
    ASSERT_TRUE(sql.ok()) << sql.status().ToString();
    auto sql_view = OpenSqlJobQueue(db_url_, QueueSqlOptions{}, clock_);
    ASSERT_TRUE(sql_view.ok()) << sql_view.status().ToString();
    sql_ = std::move(sql_view).value();
    RedisQueueOptions rq;
    rq.connect_lazily = true;
    auto rd = OpenRedisJobQueue(redis_->url(), rq, clock_);
    ASSERT_TRUE(rd.ok()) << rd.status().ToString();
    // The test enqueues like the API does: through the same FallbackQueue as every process.
    FallbackQueueOptions fo;
    fo.probe_min_ms = 200;
    fo.probe_max_ms = 500;
    queue_ = std::make_unique<FallbackQueue>(std::move(rd).value(), std::move(sql).value(),
                                             clock_, fo);
  }

  void TearDown() override {
    probe_.reset();
    serve_.reset();
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    queue_.reset();
    sql_.reset();
    redis_.reset();
    fs::remove_all(dir_);
  }

  void StartServe() {
    SpawnOptions o;
    port_ = testing::FreeLoopbackPort();
    ASSERT_GT(port_, 0);
    o.argv = {CT_BINARY_DIR "/complaints", "serve", "--workers", "2", "--no-scheduler",
              "--stop-grace-ms", "10000"};
    o.extra_env = {"COMPLAINTS_DATA_DIR=" + dir_.string(), "DATABASE_URL=" + db_url_,
                   "REDIS_URL=" + redis_->url(), "COMPLAINTS_TEST_JOBS=1",
                   "COMPLAINTS_LISTEN=127.0.0.1:" + std::to_string(port_),
                   "WORKER_CONCURRENCY=8", "COMPLAINTS_LOG_LEVEL=warn"};
    o.capture_stdout = false;
    o.capture_stderr = false;
    auto g = ProcessGroup::Spawn(o);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    serve_ = std::move(g).value();
    probe_ = std::make_unique<testing::HttpProbe>(port_, "/posts?limit=5");
    ASSERT_TRUE(probe_->Start(milliseconds(30000))) << "the API answered GET /posts";
  }

  std::string Enqueue() {
    EnqueueRequest r;
    r.type = "test.count";
    r.payload_json = nlohmann::json{{"path", counter_}, {"sleep_ms", 5}}.dump();
    r.timeout_s = 60;
    auto e = queue_->Enqueue(r);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? e->job.id : "";
  }

  std::map<std::string, int> Counted() const {
    std::ifstream in(counter_);
    std::map<std::string, int> counts;
    for (std::string l; std::getline(in, l);) ++counts[l];
    return counts;
  }

  // GET /jobs/status from the API (its own FallbackQueue): {"status", "degraded", ...}.
  nlohmann::json JobsStatus() const {
    const testing::HttpResult r = testing::HttpGet(port_, "/jobs/status");
    if (!r.error.empty() || r.status != 200) return nlohmann::json::object();
    nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
  }

  std::size_t CountedLines() const {
    std::ifstream in(counter_);
    std::size_t n = 0;
    for (std::string l; std::getline(in, l);) ++n;
    return n;
  }

  SystemClock clock_;
  fs::path dir_;
  std::string db_url_;
  std::string counter_;
  int port_ = 0;
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<JobQueue> queue_;  // FallbackQueue(Redis, SQL)
  std::unique_ptr<JobQueue> sql_;    // the SQL queue alone, to see where jobs went
  std::unique_ptr<ProcessGroup> serve_;
  std::unique_ptr<testing::HttpProbe> probe_;
};

TEST_F(RedisOutageChaosTest, RedisKilledWithJobsInFlightEveryJobSucceedsExactlyOnce) {
  // The whole batch is queued before the workers start, so most of it is still in Redis when
  // Redis dies (enqueueing alongside the workers, they would drain it as fast as it comes).
  std::vector<std::string> ids;
  for (int i = 0; i < kJobsBefore; ++i) ids.push_back(Enqueue());
  ASSERT_EQ(queue_->degraded_reason(), std::nullopt) << "the first jobs went to Redis";
  for (const std::string& id : {ids.front(), ids.back()}) {
    EXPECT_EQ(sql_->Get(id).status().code(), StatusCode::kNotFound) << id << " is in Redis";
  }
  StartServe();

  // Kill Redis while the workers are in the middle of the batch.
  ASSERT_TRUE(Eventually([&] { return CountedLines() >= 150; }, milliseconds(60000)));
  ASSERT_TRUE(redis_->Stop().ok());
  const auto outage = Steady::now();
  const std::size_t counted_at_kill = CountedLines();
  std::printf("redis SIGKILLed with %zu of %d jobs counted\n", counted_at_kill, kJobsBefore);
  ASSERT_LT(counted_at_kill, static_cast<std::size_t>(kJobsBefore / 2))
      << "most of the batch was still queued or running in Redis";

  // During the outage new jobs go to the SQL queue, and the workers drain it.
  std::vector<std::string> during;
  for (int i = 0; i < kJobsDuring; ++i) during.push_back(Enqueue());
  EXPECT_NE(queue_->degraded_reason(), std::nullopt);
  // The API says so too.
  nlohmann::json status;
  EXPECT_TRUE(Eventually(
      [&] {
        status = JobsStatus();
        return status.value("status", "") == "degraded";
      },
      milliseconds(20000)))
      << status.dump();
  EXPECT_EQ(status.value("backend", ""), "fallback");
  EXPECT_NE(status["degraded"].get<std::string>().find("redis unreachable"), std::string::npos)
      << status.dump();
  for (const std::string& id : during) {
    auto j = sql_->Get(id);
    ASSERT_TRUE(j.ok()) << id << " is in the SQL queue: " << j.status().ToString();
  }
  ASSERT_TRUE(Eventually(
      [&] {
        return std::all_of(during.begin(), during.end(), [&](const std::string& id) {
          auto j = sql_->Get(id);
          return j.ok() && j->state == JobState::kSucceeded;
        });
      },
      milliseconds(60000)))
      << "the SQL queue is drained while Redis is down";
  // Long enough for the leases of the attempts Redis held to expire: their outcomes must still
  // be recorded once, and the attempts must not run again.
  while (MsSince(outage) < kLeaseMs + 2000) std::this_thread::sleep_for(milliseconds(100));
  ASSERT_TRUE(redis_->StartAgain().ok());
  std::printf("redis restarted after %lld ms down\n", MsSince(outage));
  const auto back = Steady::now();

  ids.insert(ids.end(), during.begin(), during.end());
  std::map<std::string, JobState> states;
  ASSERT_TRUE(Eventually(
      [&] {
        for (const std::string& id : ids) {
          if (states[id] == JobState::kSucceeded) continue;
          auto j = queue_->Get(id);
          if (!j.ok() || j->state != JobState::kSucceeded) return false;
          states[id] = j->state;
        }
        return true;
      },
      milliseconds(90000)))
      << "every job succeeded";
  std::printf("all %zu jobs succeeded %lld ms after redis came back\n", ids.size(),
              MsSince(back));
  EXPECT_TRUE(Eventually(
      [&] {
        status = JobsStatus();
        return status.value("status", "") == "ok" && status["degraded"].is_null();
      },
      milliseconds(30000)))
      << "the API sees Redis again: " << status.dump();

  // Exactly once, as the handler counted; nothing unknown counted either.
  const std::map<std::string, int> counted = Counted();
  int twice = 0;
  for (const std::string& id : ids) {
    auto it = counted.find(id);
    ASSERT_NE(it, counted.end()) << id << " never ran";
    if (it->second != 1) {
      ++twice;
      ADD_FAILURE() << id << " ran " << it->second << " times";
      if (twice > 5) break;
    }
  }
  EXPECT_EQ(counted.size(), ids.size());
  for (const std::string& id : ids) {
    auto j = queue_->Get(id);
    ASSERT_TRUE(j.ok());
    EXPECT_EQ(j->state, JobState::kSucceeded);
  }

  probe_->Stop();
  std::printf("probe: %s\n", probe_->Summary().c_str());
  EXPECT_EQ(probe_->failures(), 0) << probe_->Summary();
  EXPECT_GT(probe_->requests(), 50) << probe_->Summary();

  serve_->Signal(SIGTERM);
  auto exit = serve_->WaitFor(milliseconds(20000));
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->success()) << exit->ToString();
}

}  // namespace
}  // namespace ct
