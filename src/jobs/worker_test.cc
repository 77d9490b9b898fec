// The worker against the real SQLite job queue, running real child processes.
#include "jobs/worker.h"

#include <dirent.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "jobs/builtin_jobs.h"
#include "jobs/process_group.h"
#include "queue/sql/sql_job_queue.h"
#include "support/eventually.h"

namespace ct {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// Pids of processes whose command line mentions `needle` (a job id): the job's child.
std::vector<pid_t> ProcessesMentioning(const std::string& needle) {
  std::vector<pid_t> pids;
  DIR* dir = opendir("/proc");
  while (dirent* e = readdir(dir)) {
    const int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/cmdline");
    std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmd.find(needle) != std::string::npos) pids.push_back(pid);
  }
  closedir(dir);
  return pids;
}

using ::ct::testing::Eventually;

class WorkerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(BecomeChildSubreaper().ok()); }

  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ct_worker_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto q = OpenSqlJobQueue("sqlite:" + (dir_ / "jobs.db").string(), QueueSqlOptions{}, clock_);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    queue_ = std::move(q).value();
    BuiltinJobOptions o;
    o.test_jobs = true;
    ASSERT_TRUE(RegisterBuiltinJobs(registry_, o, clock_).ok());
    options_.id = "w1";
    options_.concurrency = 2;
    options_.lease_ms = 2000;
    options_.heartbeat_ms = 100;
    options_.kill_grace_ms = 300;
    options_.drain_grace_ms = 5000;
    options_.idle_wait_ms = 50;
    options_.binary = CT_BINARY_DIR "/src/jobs/run_job_for_tests";
  }
  void TearDown() override {
    worker_.reset();
    queue_.reset();
    fs::remove_all(dir_);
  }

  void StartWorker() {
    worker_ = std::make_unique<Worker>(*queue_, registry_, options_, clock_);
    ASSERT_TRUE(worker_->Start().ok());
  }

  std::string Enqueue(const std::string& type, const std::string& payload, int timeout_s = 60,
                      int max_crashes = 3, int max_attempts = 5) {
    EnqueueRequest r;
    r.type = type;
    r.payload_json = payload;
    r.timeout_s = timeout_s;
    r.max_crashes = max_crashes;
    r.max_attempts = max_attempts;
    auto e = queue_->Enqueue(r);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e->job.id;
  }

  Job Get(const std::string& id) {
    auto j = queue_->Get(id);
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    return j.ok() ? *j : Job{};
  }

  bool WaitForState(const std::string& id, JobState state, milliseconds limit = milliseconds(20000)) {
    return Eventually([&] { return Get(id).state == state; }, limit);
  }

  SystemClock clock_;
  fs::path dir_;
  std::unique_ptr<JobQueue> queue_;
  JobRegistry registry_;
  WorkerOptions options_;
  std::unique_ptr<Worker> worker_;
};

TEST_F(WorkerTest, RunsAnIsolatedJobAndRecordsRealProgress) {
  StartWorker();
  const std::string id = Enqueue("test.progress", R"({"steps":4,"step_ms":30})");
  ASSERT_TRUE(WaitForState(id, JobState::kSucceeded)) << JobStateName(Get(id).state);
  const Job job = Get(id);
  EXPECT_EQ(job.progress.done, 4);
  EXPECT_EQ(job.progress.total, 4);
  EXPECT_EQ(job.progress.message, "step 4");
  EXPECT_EQ(job.result_json, R"({"steps":4})");
}

TEST_F(WorkerTest, RunsAnInlineJob) {
  StartWorker();
  const std::string id = Enqueue("test.noop", "{}");
  ASSERT_TRUE(WaitForState(id, JobState::kSucceeded));
  EXPECT_EQ(Get(id).result_json, R"({"ok":true})");
}

TEST_F(WorkerTest, PermanentErrorIsDeadAtOnceTransientIsRetried) {
  StartWorker();
  const std::string dead = Enqueue("test.fail", R"({"permanent":true})");
  const std::string retried = Enqueue("test.fail", R"({"permanent":false})", 60, 3, 2);
  ASSERT_TRUE(WaitForState(dead, JobState::kDead));
  EXPECT_EQ(Get(dead).attempts, 1);
  EXPECT_EQ(Get(dead).last_failure, FailureKind::kPermanent);
  EXPECT_NE(Get(dead).last_error.find("permanent failure as requested"), std::string::npos);
  // Transient: retried with backoff until max_attempts (2) errors, then dead.
  ASSERT_TRUE(WaitForState(retried, JobState::kDead, milliseconds(30000)));
  EXPECT_EQ(Get(retried).errors, 2);
  EXPECT_EQ(Get(retried).last_failure, FailureKind::kTransient);
}

TEST_F(WorkerTest, ACrashedChildCountsAgainstTheCrashBudget) {
  StartWorker();
  const std::string id = Enqueue("test.crash", "{}", 60, /*max_crashes=*/2);
  ASSERT_TRUE(WaitForState(id, JobState::kDead));
  const Job job = Get(id);
  EXPECT_EQ(job.crashes, 2);
  EXPECT_EQ(job.errors, 0);
  EXPECT_EQ(job.last_failure, FailureKind::kCrash);
  EXPECT_EQ(job.exit_signal, 9);
}

TEST_F(WorkerTest, AHungJobIsKilledAtItsDeadlineWithItsGroup) {
  StartWorker();
  const auto t0 = std::chrono::steady_clock::now();
  const std::string id = Enqueue("test.hang", "{}", /*timeout_s=*/1, /*max_crashes=*/1);
  ASSERT_TRUE(Eventually([&] { return !ProcessesMentioning(id).empty(); }));
  ASSERT_TRUE(WaitForState(id, JobState::kDead));
  const auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
  std::printf("test.hang: dead %lld ms after enqueue (deadline 1 s, grace 300 ms)\n",
              static_cast<long long>(took.count()));
  const Job job = Get(id);
  EXPECT_EQ(job.last_error, "timed out after 1 s");
  EXPECT_EQ(job.exit_signal, 9) << "it ignored SIGTERM, so the grace ended in SIGKILL";
  EXPECT_EQ(job.last_failure, FailureKind::kCrash);
  EXPECT_TRUE(ProcessesMentioning(id).empty()) << "no process of its group is left";
}

TEST_F(WorkerTest, CancellingARunningJobKillsItsGroupWithinTheGrace) {
  StartWorker();
  const std::string id = Enqueue("test.hang", "{}");
  ASSERT_TRUE(WaitForState(id, JobState::kRunning));
  ASSERT_TRUE(Eventually([&] { return !ProcessesMentioning(id).empty(); }));
  ASSERT_TRUE(queue_->Cancel(id).ok());
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitForState(id, JobState::kCancelled, milliseconds(10000)));
  const auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
  std::printf("cancel: cancelled %lld ms after the request (heartbeat 100 ms, grace 300 ms)\n",
              static_cast<long long>(took.count()));
  EXPECT_TRUE(ProcessesMentioning(id).empty());
  EXPECT_LT(took, milliseconds(5000));
}

TEST_F(WorkerTest, StopDrainsShortJobsAndHandsBackLongOnes) {
  options_.drain_grace_ms = 1000;
  StartWorker();
  const std::string quick = Enqueue("test.sleep", R"({"seconds":0.3})");
  const std::string slow = Enqueue("test.sleep", R"({"seconds":60})");
  ASSERT_TRUE(WaitForState(quick, JobState::kRunning));
  ASSERT_TRUE(WaitForState(slow, JobState::kRunning));
  worker_->Stop();
  EXPECT_EQ(Get(quick).state, JobState::kSucceeded) << "finished within the drain grace";
  const Job handed_back = Get(slow);
  EXPECT_EQ(handed_back.state, JobState::kQueued) << "requeued at once for another worker";
  EXPECT_EQ(handed_back.crashes, 1);
  EXPECT_TRUE(ProcessesMentioning(slow).empty());
  worker_->Stop();  // idempotent
}

TEST_F(WorkerTest, OnlyClaimsTypesItCanRun) {
  StartWorker();
  EnqueueRequest r;
  r.type = "not.registered";
  auto e = queue_->Enqueue(r);
  ASSERT_TRUE(e.ok());
  const std::string noop = Enqueue("test.noop", "{}");
  ASSERT_TRUE(WaitForState(noop, JobState::kSucceeded));
  EXPECT_EQ(Get(e->job.id).state, JobState::kQueued);
}

TEST_F(WorkerTest, ALostLeaseStopsTheAttemptAndItsLateWritesAreRefused) {
  StartWorker();
  const std::string id = Enqueue("test.sleep", R"({"seconds":60})");
  ASSERT_TRUE(WaitForState(id, JobState::kRunning));
  const Job first = Get(id);
  // As if the supervisor saw this worker die: the job is requeued, its lease revoked.
  ASSERT_TRUE(queue_->ReleaseWorker("w1", "test").ok());
  // The heartbeat is refused (stale lease): the attempt is stopped, its child killed, and it
  // writes nothing more. The job is then claimed again (attempt 2) by the same worker.
  ASSERT_TRUE(Eventually([&] { return Get(id).attempts == 2; }));
  Lease stale{id, first.lease_token, first};
  EXPECT_EQ(queue_->Complete(stale, "{}").code(), StatusCode::kAborted);
  EXPECT_EQ(Get(id).state, JobState::kRunning);
}

}  // namespace
}  // namespace ct
