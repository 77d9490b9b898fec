// complaints worker: claims jobs from the queue and runs them (isolated types in a child process
// group each) until SIGTERM, then drains. One role per process, for `serve` (which starts N of
// them) and for Compose / Kubernetes.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "app/app_context.h"
#include "app/commands.h"
#include "app/signals.h"
#include "jobs/builtin_jobs.h"
#include "jobs/process_group.h"
#include "jobs/queue_factory.h"
#include "jobs/worker.h"

namespace ct {

void AddRunJobCommand(CLI::App& root, const GlobalOptions& global);  // cmd_run_job.cc

namespace {

struct WorkerFlags {
  std::string id;
  int concurrency = 0;  // 0 = WORKER_CONCURRENCY
  std::int64_t lease_ms = 5000;
  std::int64_t heartbeat_ms = 1000;
  std::int64_t kill_grace_ms = 5000;
  std::int64_t drain_grace_ms = 20000;
  std::int64_t memory_limit_mb = 0;
  bool memory_limit_given = false;  // else queue.job_memory_limit_mb (JOB_MEMORY_LIMIT_MB)
};

// The global flags the `run-job` children must see too.
std::vector<std::string> ChildArgs(const GlobalOptions& global) {
  std::vector<std::string> args;
  if (!global.config_path.empty()) args.insert(args.end(), {"--config", global.config_path});
  args.insert(args.end(), {"--log-format", global.log_format, "--log-level", global.log_level});
  return args;
}

void RunWorker(const GlobalOptions& global, const WorkerFlags& flags) {
  AppConfig config = LoadAppConfig(global, flags.id.empty() ? "worker" : flags.id);
  BlockTerminationSignals();
  if (Status s = BecomeChildSubreaper(); !s.ok()) spdlog::warn("{}", s.ToString());
  SystemClock clock;
  auto queue = OpenJobQueue(config, clock);
  if (!queue.ok()) Fail(queue.status(), "opening the job queue");
  JobRegistry registry;
  if (Status s = RegisterBuiltinJobs(
          registry, BuiltinJobOptionsFromConfig(config, ProcessEnvironment()), clock);
      !s.ok()) {
    Fail(s, "registering job types");
  }
  auto binary = SelfExecutablePath();
  if (!binary.ok()) Fail(binary.status(), "finding the complaints binary");
  WorkerOptions o;
  o.id = flags.id;
  o.concurrency = flags.concurrency > 0 ? flags.concurrency : config.queue.worker_concurrency;
  o.lease_ms = flags.lease_ms;
  o.heartbeat_ms = flags.heartbeat_ms;
  o.job_timeout_s = config.queue.job_timeout_s;
  o.kill_grace_ms = flags.kill_grace_ms;
  o.drain_grace_ms = flags.drain_grace_ms;
  const std::int64_t memory_limit_mb =
      flags.memory_limit_given ? flags.memory_limit_mb : config.queue.job_memory_limit_mb;
  o.memory_limit_bytes = memory_limit_mb << 20;
  o.binary = *binary;
  o.child_args = ChildArgs(global);
  Worker worker(**queue, registry, o, clock);
  if (Status s = worker.Start(); !s.ok()) Fail(s, "starting the worker");
  spdlog::info("worker {} on the {} queue", worker.id(), (*queue)->backend());
  const int sig = WaitForTerminationSignal();
  spdlog::info("signal {} received: draining", sig);
  worker.Stop();
}

}  // namespace

void AddWorkerCommand(CLI::App& root, const GlobalOptions& global) {
  auto flags = std::make_shared<WorkerFlags>();
  CLI::App* cmd = root.add_subcommand("worker", "Run jobs from the queue until SIGTERM");
  cmd->add_option("--id", flags->id, "Worker id (default host:pid)");
  cmd->add_option("--concurrency", flags->concurrency, "Jobs at once (default WORKER_CONCURRENCY)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--lease-ms", flags->lease_ms, "Lease of a claimed job")
      ->check(CLI::Range(100, 3'600'000));
  cmd->add_option("--heartbeat-ms", flags->heartbeat_ms, "Lease renewal period")
      ->check(CLI::Range(10, 600'000));
  cmd->add_option("--kill-grace-ms", flags->kill_grace_ms, "SIGTERM -> SIGKILL of a job's group")
      ->check(CLI::Range(0, 600'000));
  cmd->add_option("--drain-grace-ms", flags->drain_grace_ms,
                  "On SIGTERM: how long running jobs may finish")
      ->check(CLI::Range(0, 3'600'000));
  CLI::Option* memory = cmd->add_option("--memory-limit-mb", flags->memory_limit_mb,
                                        "Address-space cap of each process of a job (0 = none; "
                                        "default JOB_MEMORY_LIMIT_MB)")
                            ->check(CLI::Range(0, 1 << 20));
  cmd->callback([&global, flags, memory] {
    flags->memory_limit_given = memory->count() > 0;
    RunWorker(global, *flags);
  });
  AddRunJobCommand(root, global);
}

}  // namespace ct
