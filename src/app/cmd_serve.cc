// complaints serve: the all-in-one embedded default. A supervisor process that re-execs this
// binary as its children — `api`, N x `worker --id worker-i`, and `scheduler` when this binary
// has one — restarts them when they die (backoff if they crash-loop), requeues a dead worker's
// jobs at once, and on SIGTERM drains everything and exits 0. State in <data_dir>/supervisor.json.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <spdlog/spdlog.h>

#include "app/app_context.h"
#include "app/commands.h"
#include "app/signals.h"
#include "jobs/process_group.h"
#include "jobs/queue_factory.h"
#include "jobs/supervisor.h"

namespace ct {
namespace {

struct ServeFlags {
  std::string listen;
  int workers = 0;      // 0 = derived from WORKER_CONCURRENCY
  int concurrency = 0;  // per worker; 0 = derived
  bool no_scheduler = false;
  std::int64_t stop_grace_ms = 30'000;
};

std::vector<std::string> GlobalArgs(const GlobalOptions& global) {
  std::vector<std::string> args;
  if (!global.config_path.empty()) args.insert(args.end(), {"--config", global.config_path});
  args.insert(args.end(), {"--log-format", global.log_format, "--log-level", global.log_level});
  return args;
}

std::vector<ChildSpec> Children(const CLI::App& root, const GlobalOptions& global,
                                const AppConfig& config, const ServeFlags& flags,
                                const std::string& binary) {
  auto argv = [&](std::initializer_list<std::string> role_args) {
    std::vector<std::string> a{binary};
    for (std::string& g : GlobalArgs(global)) a.push_back(std::move(g));
    a.insert(a.end(), role_args);
    return a;
  };
  std::vector<ChildSpec> children;
  ChildSpec api{"api", "api", argv({"api"}), ""};
  if (!flags.listen.empty()) api.argv.insert(api.argv.end(), {"--listen", flags.listen});
  children.push_back(std::move(api));
  // WORKER_CONCURRENCY is the total number of jobs at once, spread over the worker processes.
  const int total = std::max(1, config.queue.worker_concurrency);
  const int workers = flags.workers > 0 ? flags.workers : std::min(total, 2);
  const int per_worker =
      flags.concurrency > 0 ? flags.concurrency : std::max(1, (total + workers - 1) / workers);
  // Workers must finish draining before the supervisor's SIGKILL.
  const std::int64_t drain_ms = std::max<std::int64_t>(0, flags.stop_grace_ms - 7'000);
  for (int i = 1; i <= workers; ++i) {
    const std::string id = "worker-" + std::to_string(i);
    children.push_back(ChildSpec{id, "worker",
                                 argv({"worker", "--id", id, "--concurrency",
                                       std::to_string(per_worker), "--drain-grace-ms",
                                       std::to_string(drain_ms)}),
                                 id});
  }
  if (flags.no_scheduler) {
    spdlog::info("scheduler disabled (--no-scheduler)");
  } else if (root.get_subcommands([](const CLI::App* app) {
                   return app->get_name() == "scheduler";
                 }).empty()) {
    spdlog::info("no scheduler in this binary yet: running without one");
  } else {
    children.push_back(ChildSpec{"scheduler", "scheduler", argv({"scheduler"}), ""});
  }
  return children;
}

void RunServe(const CLI::App& root, const GlobalOptions& global, const ServeFlags& flags) {
  AppConfig config = LoadAppConfig(global, "serve");
  BlockTerminationSignals();
  if (Status s = BecomeChildSubreaper(); !s.ok()) spdlog::warn("{}", s.ToString());
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) Fail(Status::Unavailable(ec.message()), "creating data dir " + config.data_dir);
  auto binary = SelfExecutablePath();
  if (!binary.ok()) Fail(binary.status(), "finding the complaints binary");
  SystemClock clock;
  // The queue is only needed to hand a dead worker's jobs back at once; without it they still
  // come back when their lease expires.
  auto queue = OpenJobQueue(config, clock);
  if (!queue.ok()) {
    spdlog::error("job queue unavailable ({}): dead workers' jobs will wait for lease expiry",
                  queue.status().ToString());
  }
  JobQueue* q = queue.ok() ? queue->get() : nullptr;
  SupervisorOptions o;
  o.children = Children(root, global, config, flags, *binary);
  o.state_path = (std::filesystem::path(config.data_dir) / "supervisor.json").string();
  o.stop_grace_ms = flags.stop_grace_ms;
  Supervisor supervisor(o, clock, [q](const std::string& worker_id, const std::string& why) {
    if (q == nullptr) return;
    auto released = q->ReleaseWorker(worker_id, why);
    if (!released.ok()) {
      spdlog::error("releasing {}'s jobs: {}", worker_id, released.status().ToString());
    } else if (*released > 0) {
      spdlog::warn("{}: {} job(s) requeued", why, *released);
    }
  });
  if (Status s = supervisor.Start(); !s.ok()) Fail(s, "starting the supervisor");
  spdlog::info("complaints serve: {} children (state in {})", o.children.size(), o.state_path);
  const int sig = WaitForTerminationSignal();
  spdlog::info("signal {} received: stopping children (grace {} ms)", sig, flags.stop_grace_ms);
  supervisor.Stop();
  spdlog::info("stopped");
}

}  // namespace

void AddServeCommand(CLI::App& root, const GlobalOptions& global) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = root.add_subcommand(
      "serve", "Run everything: API, workers and scheduler, supervised (embedded default)");
  cmd->add_option("--listen", flags->listen, "API host:port (default 127.0.0.1:8080)");
  cmd->add_option("--workers", flags->workers, "Worker processes (default from WORKER_CONCURRENCY)")
      ->check(CLI::Range(0, 64));
  cmd->add_option("--concurrency", flags->concurrency, "Jobs at once per worker")
      ->check(CLI::Range(0, 256));
  cmd->add_flag("--no-scheduler", flags->no_scheduler, "Do not run the scheduler");
  cmd->add_option("--stop-grace-ms", flags->stop_grace_ms,
                  "On SIGTERM: how long children may drain before SIGKILL")
      ->check(CLI::Range(1'000, 3'600'000));
  const CLI::App* root_ptr = &root;
  cmd->callback([root_ptr, &global, flags] { RunServe(*root_ptr, global, *flags); });
}

}  // namespace ct
