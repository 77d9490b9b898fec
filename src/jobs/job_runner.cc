#include "jobs/job_runner.h"

#include <signal.h>

#include <spdlog/spdlog.h>

#include "jobs/job_child.h"
#include "jobs/job_protocol.h"
#include "jobs/process_group.h"

namespace ct {
namespace {

std::string Tail(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

// The failure for an attempt stopped from outside (nullopt: not stopped, or lease lost).
std::optional<JobFailure> StopFailure(StopReason reason, int timeout_s,
                                      std::optional<int> exit_signal) {
  switch (reason) {
    case StopReason::kCancelled:
      return JobFailure{FailureKind::kCancelled, "cancelled while running", exit_signal, {}};
    case StopReason::kDeadline:
      return JobFailure{FailureKind::kCrash,
                        "timed out after " + std::to_string(timeout_s) + " s", exit_signal, {}};
    case StopReason::kShutdown:
      return JobFailure{FailureKind::kCrash, "worker stopped before the job finished",
                        exit_signal, {}};
    case StopReason::kNone:
    case StopReason::kLeaseLost:
      break;
  }
  return std::nullopt;
}

}  // namespace

JobFailure FailureFromStatus(const Status& status, std::optional<std::int64_t> retry_after_ms) {
  JobFailure f;
  f.kind = status.transient() ? FailureKind::kTransient : FailureKind::kPermanent;
  f.message = status.ToString();
  if (f.kind == FailureKind::kTransient) f.retry_after_ms = retry_after_ms;
  return f;
}

AttemptOutcome JobRunner::Run(const Job& job, int timeout_s, AttemptControl& control,
                              const ProgressSink& on_progress) const {
  const JobTypeSpec* spec = registry_.Find(job.type);
  if (spec == nullptr) {
    AttemptOutcome out;
    out.failure = {FailureKind::kPermanent, "unknown job type '" + job.type + "'", {}, {}};
    return out;
  }
  if (Status s = registry_.ValidatePayload(job.type, job.payload_json); !s.ok()) {
    AttemptOutcome out;
    out.failure = {FailureKind::kPermanent, s.ToString(), {}, {}};
    return out;
  }
  if (spec->isolation == JobIsolation::kInline) return RunInline(*spec, job, timeout_s, control, on_progress);
  return RunIsolated(job, timeout_s, control, on_progress);
}

AttemptOutcome JobRunner::RunInline(const JobTypeSpec& spec, const Job& job, int timeout_s,
                                    AttemptControl& control,
                                    const ProgressSink& on_progress) const {
  JobContext ctx(job.id, job.type, job.payload_json, job.attempts, on_progress,
                 control.cancel_flag());
  Result<std::string> result = spec.handler(ctx);
  AttemptOutcome out;
  if (control.reason() == StopReason::kLeaseLost) {
    out.kind = AttemptOutcome::Kind::kAbandoned;
  } else if (result.ok()) {
    out.kind = AttemptOutcome::Kind::kSucceeded;
    out.result_json = *std::move(result);
  } else if (auto stop = StopFailure(control.reason(), timeout_s, std::nullopt)) {
    out.failure = *stop;
  } else {
    out.failure = FailureFromStatus(result.status(), ctx.retry_after_ms());
  }
  return out;
}

AttemptOutcome JobRunner::RunIsolated(const Job& job, int timeout_s, AttemptControl& control,
                                      const ProgressSink& on_progress) const {
  AttemptOutcome out;
  SpawnOptions spawn;
  spawn.argv.push_back(options_.binary);
  spawn.argv.insert(spawn.argv.end(), options_.child_args.begin(), options_.child_args.end());
  for (const char* a : {"run-job", "--type"}) spawn.argv.emplace_back(a);
  spawn.argv.push_back(job.type);
  spawn.argv.emplace_back("--job-id");
  spawn.argv.push_back(job.id);
  spawn.argv.emplace_back("--attempt");
  spawn.argv.push_back(std::to_string(job.attempts));
  spawn.stdin_data = job.payload_json;
  spawn.memory_limit_bytes = options_.memory_limit_bytes;
  // If this worker dies (even SIGKILL), the kernel kills the child: no orphan keeps running a
  // job that will be rescued and run again elsewhere.
  spawn.parent_death_signal = SIGKILL;
  auto spawned = ProcessGroup::Spawn(spawn);
  if (!spawned.ok()) {
    // Could not even start: the worker's environment is at fault, not the job. Crash semantics
    // (requeued at once, bounded by the crash budget).
    out.failure = {FailureKind::kCrash, "starting the job process: " + spawned.status().ToString(),
                   {}, {}};
    return out;
  }
  std::unique_ptr<ProcessGroup> group = std::move(spawned).value();
  const std::chrono::milliseconds grace(options_.kill_grace_ms);
  const std::int64_t deadline = clock_.MonotonicMicros() + std::int64_t{timeout_s} * 1'000'000;

  std::optional<std::string> result;
  std::optional<ChildError> error;
  std::optional<ExitInfo> exit;
  bool terminated = false;
  while (!exit) {
    for (const std::string& line : group->ReadLines(50)) {
      auto msg = ParseChildLine(line);
      if (!msg.ok()) {
        spdlog::warn("job {}: {}", job.id, msg.status().message());
        continue;
      }
      if (auto* p = std::get_if<JobProgress>(&*msg)) {
        if (on_progress) on_progress(*p);
      } else if (auto* r = std::get_if<ChildResult>(&*msg)) {
        result = std::move(r->result_json);
      } else if (auto* e = std::get_if<ChildError>(&*msg)) {
        error = std::move(*e);
      }
    }
    if (!terminated && control.reason() == StopReason::kNone && !result && !error &&
        clock_.MonotonicMicros() >= deadline) {
      control.Request(StopReason::kDeadline);
    }
    if (!terminated && control.reason() != StopReason::kNone) {
      terminated = true;
      exit = group->Terminate(grace);
      // Lines written before it died are still worth reading (a result that raced the stop).
      for (const std::string& line : group->ReadLines(0)) {
        auto msg = ParseChildLine(line);
        if (msg.ok() && std::holds_alternative<ChildResult>(*msg)) {
          result = std::get<ChildResult>(*msg).result_json;
        }
      }
      break;
    }
    if (group->stdout_closed()) {
      exit = group->WaitFor(std::chrono::milliseconds(50));
    } else {
      exit = group->TryWait();
    }
  }
  // Drain whatever the child wrote just before exiting.
  while (!group->stdout_closed()) {
    bool any = false;
    for (const std::string& line : group->ReadLines(10)) {
      any = true;
      auto msg = ParseChildLine(line);
      if (!msg.ok()) continue;
      if (auto* r = std::get_if<ChildResult>(&*msg)) result = std::move(r->result_json);
      if (auto* e = std::get_if<ChildError>(&*msg)) error = std::move(*e);
      if (auto* p = std::get_if<JobProgress>(&*msg); p && on_progress) on_progress(*p);
    }
    if (!any) break;
  }
  out.diagnostics = Tail(group->stderr_tail(), 1000);
  const std::optional<int> exit_signal =
      exit && exit->signaled() ? std::optional<int>(exit->signal) : std::nullopt;

  if (control.reason() == StopReason::kLeaseLost) {
    out.kind = AttemptOutcome::Kind::kAbandoned;
  } else if (result) {
    out.kind = AttemptOutcome::Kind::kSucceeded;
    out.result_json = std::move(*result);
  } else if (auto stop = StopFailure(control.reason(), timeout_s, exit_signal)) {
    out.failure = *stop;
  } else if (error) {
    out.failure = FailureFromStatus(error->status, error->retry_after_ms);
  } else {
    // Killed, OOM-killed (SIGKILL / SIGABRT on a failed allocation) or exited without saying how
    // it went: a crash, not an error.
    out.failure.kind = FailureKind::kCrash;
    out.failure.exit_signal = exit_signal;
    const std::string limit =
        options_.memory_limit_bytes > 0
            ? std::to_string(options_.memory_limit_bytes >> 20) + " MB per process"
            : std::string("none");
    if (exit && exit->exit_code == kJobOutOfMemoryExitCode) {
      out.failure.message = "job process ran out of memory (memory limit: " + limit +
                            "; queue.job_memory_limit_mb / JOB_MEMORY_LIMIT_MB)";
    } else {
      out.failure.message = "job process " + (exit ? exit->ToString() : std::string("lost")) +
                            " without a result";
      if (exit_signal && options_.memory_limit_bytes > 0 &&
          (*exit_signal == SIGSEGV || *exit_signal == SIGABRT || *exit_signal == SIGBUS)) {
        out.failure.message += " (it may have hit the memory limit of " + limit + ")";
      }
    }
    if (!out.diagnostics.empty()) out.failure.message += "; stderr: " + Tail(out.diagnostics, 300);
  }
  return out;
}

}  // namespace ct
