// The SQL queue on SQLite: the conformance suite (a fresh file per test) plus what only this
// backend has: several processes sharing one file, reopening, migrations of its own.
#include "queue/sql/sql_job_queue.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>

#include "queue/job_queue_conformance.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

// One temp directory per test binary, removed at exit.
class TempDirEnv : public ::testing::Environment {
 public:
  static fs::path Dir() {
    static const fs::path dir = [] {
      std::string tmpl = (fs::temp_directory_path() / "ct_sql_queue_XXXXXX").string();
      const char* made = mkdtemp(tmpl.data());
      return fs::path(made ? made : tmpl);
    }();
    return dir;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(Dir(), ec);
  }
};
const auto* const kTempEnv = ::testing::AddGlobalTestEnvironment(new TempDirEnv);

std::string FreshPath() {
  static std::atomic<int> n{0};
  return (TempDirEnv::Dir() / ("queue_" + std::to_string(n++) + ".db")).string();
}

std::unique_ptr<JobQueue> OpenOrNull(const std::string& path, const Clock& clock) {
  auto q = OpenSqlJobQueue("sqlite:" + path, QueueSqlOptions{}, clock);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  return q.ok() ? std::move(q).value() : nullptr;
}

JobQueueBackend SqliteBackend() {
  auto last_path = std::make_shared<std::string>();
  JobQueueBackend b;
  b.name = "Sqlite";
  b.open = [last_path](FakeClock& clock) {
    *last_path = FreshPath();
    return OpenOrNull(*last_path, clock);
  };
  b.open_peer = [last_path](FakeClock& clock) { return OpenOrNull(*last_path, clock); };
  return b;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, JobQueueConformanceTest, ::testing::Values(SqliteBackend()),
                         JobQueueBackendName);

TEST(SqlJobQueueSqliteTest, RejectsOtherUrls) {
  FakeClock clock;
  EXPECT_EQ(OpenSqlJobQueue("mysql://x", {}, clock).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenSqlJobQueue("sqlite:", {}, clock).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SqlJobQueueSqliteTest, JobsSurviveReopeningAndMigrationsRunOnce) {
  FakeClock clock;
  const std::string path = FreshPath();
  std::string id;
  {
    auto q = OpenOrNull(path, clock);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->backend(), "sqlite");
    EnqueueRequest r;
    r.type = "backup";
    auto e = q->Enqueue(r);
    ASSERT_TRUE(e.ok());
    id = e->job.id;
  }
  auto q = OpenOrNull(path, clock);  // migrations already applied: must not fail
  ASSERT_NE(q, nullptr);
  auto job = q->Get(id);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->type, "backup");
  EXPECT_EQ(job->state, JobState::kQueued);
}

// Two processes claim from one file at the same time: every job is claimed exactly once.
TEST(SqlJobQueueSqliteTest, TwoProcessesNeverClaimTheSameJob) {
  constexpr int kJobs = 200;
  SystemClock clock;
  const std::string path = FreshPath();
  std::set<std::string> enqueued;
  {
    auto q = OpenOrNull(path, clock);
    ASSERT_NE(q, nullptr);
    for (int i = 0; i < kJobs; ++i) {
      EnqueueRequest r;
      r.type = "test.noop";
      auto e = q->Enqueue(r);
      ASSERT_TRUE(e.ok());
      enqueued.insert(e->job.id);
    }
  }  // no connection crosses the fork

  // Each process claims until the queue is empty, then writes its ids to its own file.
  auto drain = [&](const std::string& worker, const std::string& out_path) -> bool {
    auto opened = OpenSqlJobQueue("sqlite:" + path, QueueSqlOptions{}, clock);
    if (!opened.ok()) return false;
    auto& q = **opened;
    std::ofstream out(out_path);
    while (true) {
      auto leases = q.Claim(worker, 2, {}, 60'000);
      if (!leases.ok()) {
        if (leases.status().transient()) continue;
        return false;
      }
      if (leases->empty()) return true;
      for (const auto& l : *leases) {
        out << l.job_id << "\n";
        Status s = q.Complete(l, "{}");
        while (!s.ok() && s.code() == StatusCode::kUnavailable) s = q.Complete(l, "{}");
        if (!s.ok()) return false;
      }
    }
  };
  const std::string child_out = path + ".child";
  const std::string parent_out = path + ".parent";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(drain("child", child_out) ? 0 : 1);
  const bool parent_ok = drain("parent", parent_out);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(parent_ok);
  ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);

  std::multiset<std::string> claimed;
  std::size_t by_child = 0;
  for (const auto& [file, is_child] : {std::pair{child_out, true}, std::pair{parent_out, false}}) {
    std::ifstream in(file);
    for (std::string id; std::getline(in, id);) {
      claimed.insert(id);
      if (is_child) ++by_child;
    }
  }
  EXPECT_EQ(claimed.size(), static_cast<std::size_t>(kJobs)) << "a job was claimed twice";
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()), enqueued);
  auto q = OpenOrNull(path, clock);
  ASSERT_NE(q, nullptr);
  auto counts = q->Counts();
  ASSERT_TRUE(counts.ok());
  for (const auto& [state, n] : counts->by_state)
    EXPECT_EQ(n, state == "succeeded" ? kJobs : 0) << state;
  RecordProperty("claimed_by_child", static_cast<int>(by_child));
}

}  // namespace
}  // namespace ct
