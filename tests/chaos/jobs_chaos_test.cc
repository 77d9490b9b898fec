// Chaos drills on `complaints serve` (the real binary, real signals, a real SQLite file):
//  - the supervisor restarts a SIGKILLed child quickly (measured, loosely asserted);
//  - a worker SIGKILLed mid-job: the job runs again and succeeds exactly once, the first
//    attempt's late writes are refused;
//  - the whole serve tree SIGKILLed mid-run: after a restart every job ends, none is lost.
// While workers die, a probe keeps requesting GET /posts and none of its requests may fail (the
// API is only down while the drill kills the API itself or the whole tree; not probed then).
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
#include "queue/sql/sql_job_queue.h"
#include "support/eventually.h"

namespace ct {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

using testing::Eventually;
using testing::MsSince;
class ServeChaosTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(BecomeChildSubreaper().ok()); }

  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ct_chaos_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_url_ = "sqlite:" + (dir_ / "complaints.db").string();
    auto q = OpenSqlJobQueue(db_url_, QueueSqlOptions{}, clock_);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    queue_ = std::move(q).value();
  }

  void TearDown() override {
    serve_.reset();
    // Orphaned role processes of a SIGKILLed serve were re-parented to us: reap them.
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    queue_.reset();
    fs::remove_all(dir_);
  }

  void StartServe(const std::vector<std::string>& extra_env = {}) {
    SpawnOptions o;
    o.argv = {CT_BINARY_DIR "/complaints", "serve", "--workers", "2", "--no-scheduler",
              "--stop-grace-ms", "10000"};
    port_ = testing::FreeLoopbackPort();
    ASSERT_GT(port_, 0);
    o.extra_env = {"COMPLAINTS_DATA_DIR=" + dir_.string(), "DATABASE_URL=" + db_url_,
                   "COMPLAINTS_TEST_JOBS=1", "COMPLAINTS_LISTEN=127.0.0.1:" + std::to_string(port_),
                   "WORKER_CONCURRENCY=2"};
    o.extra_env.insert(o.extra_env.end(), extra_env.begin(), extra_env.end());
    o.capture_stdout = false;
    o.capture_stderr = false;
    auto g = ProcessGroup::Spawn(o);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    serve_ = std::move(g).value();
    ASSERT_TRUE(Eventually([&] { return RunningChildren().size() == 3; }, milliseconds(20000)))
        << "api + 2 workers running";
  }

  // Starts a GET /posts probe against the API of the current serve (waits for it to answer).
  std::unique_ptr<testing::HttpProbe> StartProbe() {
    auto probe = std::make_unique<testing::HttpProbe>(port_, "/posts?limit=5");
    EXPECT_TRUE(probe->Start(milliseconds(30000))) << "the API answered GET /posts";
    return probe;
  }

  // Lets the probe reach `min_requests` (it runs on), then stops it and checks it saw no failure.
  static void ExpectNoFailure(testing::HttpProbe& probe, long min_requests) {
    Eventually([&] { return probe.requests() >= min_requests; }, milliseconds(10000));
    probe.Stop();
    std::printf("probe: %s\n", probe.Summary().c_str());
    EXPECT_EQ(probe.failures(), 0) << probe.Summary();
    EXPECT_GE(probe.requests(), min_requests) << probe.Summary();
  }

  nlohmann::json State() const {
    std::ifstream in(dir_ / "supervisor.json");
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
  }

  // name -> pid of the children the supervisor reports running.
  std::map<std::string, int> RunningChildren() const {
    std::map<std::string, int> out;
    const nlohmann::json s = State();
    if (!s.contains("children")) return out;
    for (const auto& c : s["children"]) {
      const nlohmann::json& pid = c.contains("pid") ? c["pid"] : nlohmann::json();
      if (c.value("state", "") == "running" && pid.is_number_integer() && pid.get<int>() > 0) {
        out[c.value("name", "")] = pid.get<int>();
      }
    }
    return out;
  }

  // The pid of child `name` once supervisor.json lists it running; 0 after `timeout`.
  int RunningPid(const std::string& name, milliseconds timeout = milliseconds(10000)) const {
    int pid = 0;
    Eventually(
        [&] {
          const auto children = RunningChildren();
          const auto it = children.find(name);
          if (it != children.end()) pid = it->second;
          return pid > 0;
        },
        timeout);
    return pid;
  }

  std::string Enqueue(const std::string& type, const std::string& payload) {
    EnqueueRequest r;
    r.type = type;
    r.payload_json = payload;
    r.timeout_s = 60;
    auto e = queue_->Enqueue(r);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? e->job.id : "";
  }

  Job Get(const std::string& id) {
    auto j = queue_->Get(id);
    return j.ok() ? *j : Job{};
  }

  std::vector<std::string> MarkerLines() const {
    std::ifstream in(dir_ / "marker.txt");
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
  }

  std::string SleepPayload(double seconds) const {
    return nlohmann::json{{"seconds", seconds}, {"append_to", (dir_ / "marker.txt").string()}}
        .dump();
  }

  SystemClock clock_;
  fs::path dir_;
  std::string db_url_;
  std::unique_ptr<JobQueue> queue_;
  std::unique_ptr<ProcessGroup> serve_;
  int port_ = 0;
};

TEST_F(ServeChaosTest, SupervisorRestartsAKilledChildQuickly) {
  StartServe();
  auto probe = StartProbe();
  for (const std::string name : {"worker-1", "api"}) {
    // The probe covers the worker's death; killing the API itself is meant to fail requests.
    if (name == "api") ExpectNoFailure(*probe, 20);
    const int old_pid = RunningPid(name);
    ASSERT_GT(old_pid, 0) << name << " running in supervisor.json: " << State().dump();
    const auto t0 = Steady::now();
    ASSERT_EQ(kill(old_pid, SIGKILL), 0);
    ASSERT_TRUE(Eventually(
        [&] {
          auto running = RunningChildren();
          return running.contains(name) && running[name] != old_pid;
        },
        milliseconds(5000)))
        << name << " restarted within a generous 5 s";
    std::printf("supervisor: %s restarted %lld ms after SIGKILL\n", name.c_str(), MsSince(t0));
    const nlohmann::json s = State();
    for (const auto& c : s["children"]) {
      if (c["name"] == name) {
        EXPECT_EQ(c["restarts"], 1);
        EXPECT_EQ(c["last_exit"]["signal"], 9);
      }
    }
  }
  // SIGTERM: everything drains and serve exits 0, leaving no child behind.
  const std::map<std::string, int> children = RunningChildren();
  serve_->Signal(SIGTERM);
  auto exit = serve_->WaitFor(milliseconds(20000));
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->success()) << exit->ToString();
  EXPECT_EQ(State()["state"], "stopped");
  for (const auto& [name, pid] : children) {
    EXPECT_TRUE(Eventually([&] { return kill(pid, 0) != 0 || waitpid(pid, nullptr, WNOHANG) == pid; },
                           milliseconds(5000)))
        << name << " still alive";
  }
}

TEST_F(ServeChaosTest, WorkerKilledMidJobTheJobRunsAgainAndSucceedsOnce) {
  StartServe();
  auto probe = StartProbe();
  const std::string id = Enqueue("test.sleep", SleepPayload(2));
  ASSERT_TRUE(Eventually([&] { return Get(id).state == JobState::kRunning; }, milliseconds(20000)));
  const Job first = Get(id);
  const int worker_pid = RunningPid(first.worker_id);
  ASSERT_GT(worker_pid, 0) << "worker " << first.worker_id << " running in supervisor.json: "
                           << State().dump();
  const auto t0 = Steady::now();
  ASSERT_EQ(kill(worker_pid, SIGKILL), 0);
  ASSERT_TRUE(Eventually([&] { return Get(id).attempts >= 2; }, milliseconds(10000)));
  std::printf("worker SIGKILLed: job %s claimed again %lld ms later\n", id.c_str(), MsSince(t0));
  ASSERT_TRUE(Eventually([&] { return Get(id).state == JobState::kSucceeded; }, milliseconds(20000)));
  const Job done = Get(id);
  EXPECT_EQ(done.crashes, 1);
  EXPECT_EQ(done.attempts, 2);
  EXPECT_EQ(MarkerLines(), std::vector<std::string>{id}) << "the side effect happened once";
  // The first attempt's late writes are refused by fencing.
  Lease stale{id, first.lease_token, first};
  EXPECT_EQ(queue_->Complete(stale, R"({"late":true})").code(), StatusCode::kAborted);
  EXPECT_EQ(queue_->ReportProgress(stale, {1, 1, "late"}).code(), StatusCode::kAborted);
  EXPECT_EQ(Get(id).result_json, R"({"slept_s":2.0})");
  ExpectNoFailure(*probe, 20);
}

// queue.job_memory_limit_mb (here from JOB_MEMORY_LIMIT_MB, through serve to its workers): a
// job's process that allocates past it dies, and the job records why; one under it succeeds.
TEST_F(ServeChaosTest, AJobOverItsMemoryLimitDiesAndSaysWhy) {
  StartServe({"JOB_MEMORY_LIMIT_MB=512"});
  auto probe = StartProbe();
  const std::string small = Enqueue("test.alloc", R"({"mb":64})");
  const std::string big = Enqueue("test.alloc", R"({"mb":2048})");
  ASSERT_TRUE(Eventually([&] { return IsFinal(Get(small).state) && IsFinal(Get(big).state); },
                         milliseconds(60000)));
  const Job ok = Get(small);
  EXPECT_EQ(ok.state, JobState::kSucceeded) << ok.last_error;
  EXPECT_EQ(ok.result_json, R"({"allocated_mb":64,"touched":true})");
  const Job dead = Get(big);
  EXPECT_EQ(dead.state, JobState::kDead);
  EXPECT_EQ(dead.last_failure, FailureKind::kCrash) << "out of memory is a crash, not an error";
  EXPECT_EQ(dead.errors, 0);
  EXPECT_EQ(dead.crashes, dead.max_crashes);
  EXPECT_NE(dead.last_error.find("ran out of memory (memory limit: 512 MB per process"),
            std::string::npos)
      << dead.last_error;
  ExpectNoFailure(*probe, 20);
}

TEST_F(ServeChaosTest, WholeServeTreeKilledThenRestartedLosesNoJob) {
  StartServe();
  auto probe = StartProbe();
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(Enqueue("test.sleep", SleepPayload(1)));
  ASSERT_TRUE(Eventually(
      [&] {
        return std::count_if(ids.begin(), ids.end(),
                             [&](const std::string& id) { return Get(id).state == JobState::kRunning; }) >= 2;
      },
      milliseconds(20000)));
  ExpectNoFailure(*probe, 20);
  // Everything at once: the supervisor and each of its children (job children die with their
  // worker through PR_SET_PDEATHSIG).
  const std::map<std::string, int> children = RunningChildren();
  serve_->Signal(SIGKILL);
  for (const auto& [name, pid] : children) kill(pid, SIGKILL);
  serve_->Wait();
  serve_.reset();
  const auto t0 = Steady::now();
  StartServe();
  probe = StartProbe();
  ASSERT_TRUE(Eventually(
      [&] {
        return std::all_of(ids.begin(), ids.end(),
                           [&](const std::string& id) { return IsFinal(Get(id).state); });
      },
      milliseconds(60000)));
  std::printf("after the restart every job ended within %lld ms\n", MsSince(t0));
  std::set<std::string> marked;
  for (const std::string& l : MarkerLines()) marked.insert(l);
  for (const std::string& id : ids) {
    EXPECT_EQ(Get(id).state, JobState::kSucceeded) << id;
    EXPECT_TRUE(marked.contains(id)) << id << " ran to completion at least once";
  }
  ExpectNoFailure(*probe, 20);
}

}  // namespace
}  // namespace ct
