#include "jobs/process_group.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "support/eventually.h"

namespace ct {
namespace {

using std::chrono::milliseconds;

class ProcessGroupTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(BecomeChildSubreaper().ok()); }

  std::unique_ptr<ProcessGroup> Sh(const std::string& script) {
    SpawnOptions o;
    o.argv = {"/bin/sh", "-c", script};
    auto g = ProcessGroup::Spawn(o);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return std::move(g).value();
  }
};

// Polls (bounded) until the predicate holds.
using ::ct::testing::Eventually;

TEST_F(ProcessGroupTest, ReadsStdoutLinesAndStderrTailAndExitCode) {
  auto g = Sh("echo one; echo two; echo oops >&2; printf partial; exit 3");
  std::vector<std::string> lines;
  while (!g->stdout_closed()) {
    for (auto& l : g->ReadLines(100)) lines.push_back(l);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "partial"}));
  ExitInfo e = g->Wait();
  EXPECT_EQ(e.exit_code, 3);
  EXPECT_FALSE(e.signaled());
  EXPECT_NE(g->stderr_tail().find("oops"), std::string::npos);
}

TEST_F(ProcessGroupTest, StdinDataReachesTheChild) {
  SpawnOptions o;
  o.argv = {"/bin/cat"};
  volatile std::size_t size = 200000;  // not a constant: GCC 12 -Warray-bounds false positive
  std::string data(size, 'x');
  data.append("\nend");
  o.stdin_data = std::move(data);
  auto g = ProcessGroup::Spawn(o);
  ASSERT_TRUE(g.ok());
  std::vector<std::string> lines;
  while (!(*g)->stdout_closed()) {
    for (auto& l : (*g)->ReadLines(100)) lines.push_back(l);
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].size(), 200000u);
  EXPECT_EQ(lines[1], "end");
  EXPECT_TRUE((*g)->Wait().success());
}

TEST_F(ProcessGroupTest, ChildRunsInItsOwnSession) {
  auto g = Sh("sleep 30");
  EXPECT_EQ(getsid(g->pid()), g->pid());
  EXPECT_EQ(getpgid(g->pid()), g->pid());
  EXPECT_NE(getpgid(g->pid()), getpgrp());
}

TEST_F(ProcessGroupTest, TerminateKillsTheWholeGroupIncludingGrandchildren) {
  // The shell ignores SIGTERM and its background children are in its group.
  auto g = Sh("trap '' TERM; sleep 100 & sleep 100 & echo started; while :; do sleep 1; done");
  ASSERT_EQ(g->ReadLines(5000), std::vector<std::string>{"started"});
  const pid_t pgid = g->pgid();
  EXPECT_GE(ProcessesInGroup(pgid).size(), 3u);
  const auto t0 = std::chrono::steady_clock::now();
  ExitInfo e = g->Terminate(milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(e.signaled());
  EXPECT_EQ(e.signal, SIGKILL) << "SIGTERM was ignored, so the grace ended with SIGKILL";
  EXPECT_GE(took, milliseconds(250));
  EXPECT_TRUE(ProcessesInGroup(pgid).empty()) << "no member left, not even a zombie";
}

TEST_F(ProcessGroupTest, TerminateIsPoliteFirst) {
  auto g = Sh("trap 'exit 7' TERM; echo ready; while :; do sleep 0.05; done");
  ASSERT_EQ(g->ReadLines(5000), std::vector<std::string>{"ready"});
  ExitInfo e = g->Terminate(milliseconds(5000));
  EXPECT_EQ(e.exit_code, 7) << e.ToString();
  EXPECT_EQ(g->Terminate(milliseconds(10)).exit_code, 7) << "idempotent";
}

TEST_F(ProcessGroupTest, LeaderExitKillsStragglers) {
  auto g = Sh("sleep 100 & echo $!");
  auto lines = g->ReadLines(5000);
  ASSERT_EQ(lines.size(), 1u);
  const pid_t straggler = std::stoi(lines[0]);
  const pid_t pgid = g->pgid();
  ExitInfo e = g->Wait();
  EXPECT_EQ(e.exit_code, 0);
  EXPECT_TRUE(Eventually([&] { return kill(straggler, 0) != 0; }));
  EXPECT_TRUE(ProcessesInGroup(pgid).empty());
}

TEST_F(ProcessGroupTest, DestructorKillsAndReaps) {
  pid_t pgid;
  {
    auto g = Sh("sleep 100 & sleep 100");
    pgid = g->pgid();
    ASSERT_TRUE(Eventually([&] { return ProcessesInGroup(pgid).size() >= 2; }));
  }
  EXPECT_TRUE(ProcessesInGroup(pgid).empty());
}

TEST_F(ProcessGroupTest, ReportsTheKillingSignal) {
  auto g = Sh("kill -SEGV $$");
  ExitInfo e = g->Wait();
  EXPECT_EQ(e.signal, SIGSEGV);
  EXPECT_NE(e.ToString().find("signal 11"), std::string::npos);
}

TEST_F(ProcessGroupTest, ExecFailureIsAnError) {
  SpawnOptions o;
  o.argv = {"/nonexistent/binary"};
  auto g = ProcessGroup::Spawn(o);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("No such file"), std::string::npos);
}

TEST_F(ProcessGroupTest, MemoryCapAppliesToTheChild) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "ulimit -v"};
  o.memory_limit_bytes = 512ll << 20;
  auto g = ProcessGroup::Spawn(o);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ((*g)->ReadLines(5000), std::vector<std::string>{"524288"});  // KiB
}

TEST_F(ProcessGroupTest, BlockedSignalsAreNotInherited) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  auto g = Sh("echo ready; sleep 100");
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ASSERT_EQ(g->ReadLines(5000), std::vector<std::string>{"ready"});
  ExitInfo e = g->Terminate(milliseconds(5000));
  EXPECT_EQ(e.signal, SIGTERM) << "the child must be terminable although we block SIGTERM";
}

TEST_F(ProcessGroupTest, ExtraEnvironmentOverrides) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "echo $HOME-$CT_X"};
  o.extra_env = {"HOME=/h", "CT_X=1"};
  auto g = ProcessGroup::Spawn(o);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ((*g)->ReadLines(5000), std::vector<std::string>{"/h-1"});
}

}  // namespace
}  // namespace ct
