// complaints api: the HTTP API role alone (for Compose / Kubernetes, where the orchestrator
// restarts it). complaints serve: the all-in-one embedded default.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <spdlog/spdlog.h>

#include "api/api_server.h"
#include "api/jobs_handler.h"
#include "api/sources_handler.h"
#include "app/app_context.h"
#include "app/cmd_api.h"
#include "app/commands.h"
#include "app/signals.h"
#include "jobs/builtin_jobs.h"
#include "jobs/job_registry.h"
#include "jobs/queue_factory.h"
#include "queue/job_queue.h"
#include "store/store.h"

namespace ct {

void RunApi(const GlobalOptions& global, const ApiOptions& o, const std::string& role) {
  AppConfig config = LoadAppConfig(global, role);
  if (!o.listen.empty()) {
    config.server.listen = o.listen;
    if (Status s = ValidateConfig(config); !s.ok()) Fail(s, "invalid --listen", 2);
  }
  BlockTerminationSignals();
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) Fail(Status::Unavailable(ec.message()), "creating data dir " + config.data_dir);
  SystemClock clock;
  auto store = OpenStoreOrFail(config, clock);
  auto queue = OpenJobQueue(config, clock);
  if (!queue.ok()) Fail(queue.status(), "opening the job queue");
  // The registry only validates payloads here; workers run the jobs.
  JobRegistry registry;
  if (Status s = RegisterBuiltinJobs(
          registry, BuiltinJobOptionsFromConfig(config, ProcessEnvironment()), clock);
      !s.ok())
    Fail(s, "registering job types");
  JobRoutesDeps jobs{**queue,
                     [&registry](std::string_view type, std::string_view payload) {
                       return registry.ValidatePayload(type, payload);
                     },
                     (std::filesystem::path(config.data_dir) / "supervisor.json").string()};
  ApiServer server(config.server, *store, clock);
  if (Status s = RegisterJobRoutes(server.router(), server.context(), jobs); !s.ok())
    Fail(s, "registering /jobs routes");
  SourcesDeps sources{config.sources,
                      (std::filesystem::path(config.data_dir) / "source_state.json").string()};
  if (Status s = RegisterSourceRoutes(server.router(), server.context(), sources); !s.ok())
    Fail(s, "registering /sources routes");
  if (Status s = server.Start(); !s.ok()) Fail(s, "starting the API");
  spdlog::info("complaints {} listening on http://{} (store: {}, queue: {})", role,
               config.server.listen, store->backend(), (*queue)->backend());
  const int sig = WaitForTerminationSignal();
  spdlog::info("signal {} received: draining", sig);
  server.Stop();
  spdlog::info("stopped");
}

namespace {

void AddApiLikeCommand(CLI::App& root, const GlobalOptions& global, const char* name,
                       const char* help) {
  auto opts = std::make_shared<ApiOptions>();
  CLI::App* cmd = root.add_subcommand(name, help);
  cmd->add_option("--listen", opts->listen, "host:port to listen on (default 127.0.0.1:8080)");
  const std::string role = name;
  cmd->callback([&global, opts, role] { RunApi(global, *opts, role); });
}

}  // namespace

void AddApiCommand(CLI::App& root, const GlobalOptions& global) {
  AddApiLikeCommand(root, global, "api", "Run the HTTP API and dashboard only");
}

}  // namespace ct
