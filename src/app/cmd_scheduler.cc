// complaints scheduler: fires cron schedules into the job queue, under a leader lease, so any
// number of schedulers may run and each tick is enqueued once.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <thread>

#include "app/app_context.h"
#include "app/commands.h"
#include "app/signals.h"
#include "core/time_format.h"
#include "jobs/queue_factory.h"
#include "jobs/scheduler.h"
#include "queue/job_queue.h"

namespace ct {
namespace {

struct SchedulerCommandOptions {
  bool list = false;  // print the schedules and their next ticks, then exit
};

void RunScheduler(const GlobalOptions& global, const SchedulerCommandOptions& o) {
  const AppConfig config = LoadAppConfig(global, "scheduler");
  // [schedules.*] and the sources' own schedules ([sources.NAME] schedule).
  auto specs = BuildAllScheduleSpecs(config.schedules, config.sources);
  if (!specs.ok()) Fail(specs.status(), "invalid schedules", 2);
  SystemClock clock;
  if (o.list) {
    for (const auto& s : *specs) {
      const std::int64_t next = s.cron.Next(clock.NowSeconds());
      std::printf("%-20s %-32s %-14s next %s\n", s.name.c_str(), s.cron.expression().c_str(),
                  s.job_type.c_str(), next < 0 ? "never" : FormatIso8601(next).c_str());
    }
    return;
  }
  BlockTerminationSignals();
  auto queue = OpenJobQueue(config, clock);
  if (!queue.ok()) Fail(queue.status(), "opening the job queue");
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  SchedulerOptions options;
  options.holder_id = std::string(host) + ":" + std::to_string(getpid());
  const std::size_t n_schedules = specs->size();
  Scheduler scheduler(**queue, *std::move(specs), options, clock);
  spdlog::info("scheduler {} started with {} schedules", options.holder_id, n_schedules);
  std::thread waiter([&] {
    const int sig = WaitForTerminationSignal();
    spdlog::info("signal {} received: stopping", sig);
    scheduler.Stop();
  });
  scheduler.Run();
  waiter.join();
  spdlog::info("stopped");
}

}  // namespace

void AddSchedulerCommand(CLI::App& root, const GlobalOptions& global) {
  auto opts = std::make_shared<SchedulerCommandOptions>();
  CLI::App* cmd = root.add_subcommand("scheduler", "Fire cron schedules into the job queue");
  cmd->add_flag("--list", opts->list, "Print the schedules and their next ticks, then exit");
  cmd->callback([&global, opts] { RunScheduler(global, *opts); });
}

}  // namespace ct
