// JobRunner: runs ONE attempt of a claimed job and says how it ended, without touching the
// queue (the Worker turns the outcome into Complete/Fail).
//   isolated types: `<binary> <child_args...> run-job --type T --job-id ID --attempt N`, in its
//     own process group (memory-capped), payload on stdin, line protocol on stdout, stderr tail
//     kept for diagnostics. Stop requests and the hard deadline -> Terminate(kill_grace):
//     SIGTERM to the group, then SIGKILL.
//   inline types: the handler on the calling thread; a stop request sets its cancellation flag
//     (an inline handler cannot be killed: keep them short and trusted).
// Thread safety: Run may be called concurrently from several threads (one attempt each);
// AttemptControl::Request from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "domain/job.h"
#include "jobs/job_registry.h"

namespace ct {

// Why an attempt is being stopped from outside. The first request wins.
enum class StopReason { kNone = 0, kCancelled, kDeadline, kLeaseLost, kShutdown };

class AttemptControl {
 public:
  void Request(StopReason reason) {
    int expected = 0;
    reason_.compare_exchange_strong(expected, static_cast<int>(reason));
    cancel_.store(true);
  }
  StopReason reason() const { return static_cast<StopReason>(reason_.load()); }
  const std::atomic<bool>* cancel_flag() const { return &cancel_; }

 private:
  std::atomic<int> reason_{0};
  std::atomic<bool> cancel_{false};
};

struct AttemptOutcome {
  enum class Kind {
    kSucceeded,  // result_json set: Complete
    kFailed,     // failure set: Fail
    kAbandoned,  // the lease is no longer ours: write nothing
  };
  Kind kind = Kind::kFailed;
  std::string result_json;
  JobFailure failure;
  std::string diagnostics;  // e.g. the child's stderr tail, for logs
};

struct RunnerOptions {
  std::string binary;                   // the complaints binary (re-exec'd for isolated jobs)
  std::vector<std::string> child_args;  // global flags before "run-job" (e.g. --config path)
  std::int64_t memory_limit_bytes = 0;  // RLIMIT_AS of each process of the group; 0 = none
  std::int64_t kill_grace_ms = 5000;    // SIGTERM -> SIGKILL
};

class JobRunner {
 public:
  JobRunner(const JobRegistry& registry, RunnerOptions options, const Clock& clock)
      : registry_(registry), options_(std::move(options)), clock_(clock) {}

  using ProgressSink = std::function<void(const JobProgress&)>;

  // Runs the attempt until it ends, is stopped through `control`, or `timeout_s` passes.
  AttemptOutcome Run(const Job& job, int timeout_s, AttemptControl& control,
                     const ProgressSink& on_progress) const;

 private:
  AttemptOutcome RunIsolated(const Job& job, int timeout_s, AttemptControl& control,
                             const ProgressSink& on_progress) const;
  AttemptOutcome RunInline(const JobTypeSpec& spec, const Job& job, int timeout_s,
                           AttemptControl& control, const ProgressSink& on_progress) const;

  const JobRegistry& registry_;
  RunnerOptions options_;
  const Clock& clock_;
};

// Maps a handler's error to the failure the queue records (transient vs permanent).
JobFailure FailureFromStatus(const Status& status, std::optional<std::int64_t> retry_after_ms);

}  // namespace ct
