// complaints run-job (hidden): the child side of an isolated job. A worker starts it in a new
// process group, writes the payload on its stdin, and reads JSON lines (progress, then one
// result or error) from its stdout; logs go to stderr. SIGTERM sets the job's cancellation flag;
// the worker SIGKILLs the group if the handler does not stop within the grace period.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <thread>

#include "app/app_context.h"
#include "app/commands.h"
#include "jobs/builtin_jobs.h"
#include "jobs/job_child.h"
#include "jobs/process_group.h"

namespace ct {
namespace {

// Turns SIGTERM/SIGINT into the cancellation flag, from a thread (no async-signal handler and no
// global): the signals are blocked in every thread and taken here with sigtimedwait.
class CancelOnSignal {
 public:
  CancelOnSignal() {
    sigset_t set = Set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    thread_ = std::thread([this] {
      sigset_t set = Set();
      timespec tick{0, 100'000'000};
      while (!done_) {
        if (sigtimedwait(&set, nullptr, &tick) > 0) cancel_ = true;
      }
    });
  }
  ~CancelOnSignal() {
    done_ = true;
    thread_.join();
  }
  const std::atomic<bool>& flag() const { return cancel_; }

 private:
  static sigset_t Set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
  }
  std::atomic<bool> cancel_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

void RunJob(const GlobalOptions& global, JobChildArgs args) {
  CancelOnSignal cancel;  // first: the threads started later inherit the blocked mask
  // A scrape may start a browser group: its orphaned Chromium processes are reaped here.
  (void)BecomeChildSubreaper();
  AppConfig config = LoadAppConfig(global, "job-" + args.job_id);
  args.payload_json.assign(std::istreambuf_iterator<char>(std::cin), {});
  if (args.payload_json.empty()) args.payload_json = "{}";
  SystemClock clock;
  JobRegistry registry;
  if (Status s = RegisterBuiltinJobs(
          registry, BuiltinJobOptionsFromConfig(config, ProcessEnvironment()), clock);
      !s.ok()) {
    Fail(s, "registering job types");
  }
  const int code = RunJobChild(registry, args, cancel.flag(), stdout);
  if (code != 0) throw CommandFailed{code};
}

}  // namespace

void AddRunJobCommand(CLI::App& root, const GlobalOptions& global) {
  auto args = std::make_shared<JobChildArgs>();
  CLI::App* cmd = root.add_subcommand("run-job", "Run one job in this process (used by workers)");
  cmd->group("");  // hidden: not for people
  cmd->add_option("--type", args->type, "Job type")->required();
  cmd->add_option("--job-id", args->job_id, "Job id")->required();
  cmd->add_option("--attempt", args->attempt, "Attempt number");
  cmd->callback([&global, args] { RunJob(global, *args); });
}

}  // namespace ct
