// complaints demo: the product end to end with no internet. Starts the fixture replay server
// (sources/fixture_replay.h) in this process and `complaints serve` as a child process group,
// configured against it: a data dir of its own (a fresh temporary one unless --data-dir),
// every source's base_url pointed at the replay server, fetch.allow_networks = 127.0.0.1/32,
// auto_scrape every minute, the test job types off (unless COMPLAINTS_TEST_JOBS=1 is set). One auto_scrape is also enqueued at once so
// the store fills within seconds; the scheduler's ticks follow. Ctrl-C stops both.
//
// complaints replay-server (hidden): only the replay server, for tests and for pointing a
// hand-written config at it. Both take --faults (see ParseReplayFaults) to inject 503s, 429s,
// slow or cut replies and parse drift.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <spdlog/spdlog.h>

#include "app/app_context.h"
#include "app/commands.h"
#include "app/signals.h"
#include "jobs/process_group.h"
#include "jobs/queue_factory.h"
#include "queue/job_queue.h"
#include "sources/fixture_replay.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

struct ReplayFlags {
  int port = 0;
  std::string fixtures;
  std::string faults;
};

struct DemoFlags {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir;  // "" = a fresh temporary directory
  std::string cron = "* * * * *";
  bool kickoff = true;
  ReplayFlags replay;
};

std::string TomlString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string TomlList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + TomlString(v[i]);
  return out + "]";
}

// The config `serve` runs with: what the demo changes, written as TOML.
std::string DemoToml(const AppConfig& c, const std::string& cron) {
  std::string t = "# Written by `complaints demo`.\ndata_dir = " + TomlString(c.data_dir) + "\n";
  t += "[server]\nlisten = " + TomlString(c.server.listen) + "\n";
  t += "[store]\ndatabase_url = " + TomlString(c.store.database_url) + "\n";
  t += "[fetch]\nallow_networks = " + TomlList(c.fetch.allow_networks) + "\n";
  t += "host_requests_per_second = 50\n";
  t += "[schedules.auto_scrape]\ncron = " + TomlString(cron) + "\n";
  for (const SourceConfig& s : c.sources) {
    t += "[sources." + s.name + "]\nkind = " + TomlString(s.kind) + "\n";
    t += std::string("enabled = ") + (s.enabled ? "true" : "false") + "\n";
    if (!s.base_url.empty()) t += "base_url = " + TomlString(s.base_url) + "\n";
    if (!s.instances.empty()) t += "instances = " + TomlList(s.instances) + "\n";
    if (!s.queries.empty()) t += "queries = " + TomlList(s.queries) + "\n";
    t += "requests_per_minute = 600\nburst = 20\n";
    if (!s.selectors.empty()) {
      t += "[sources." + s.name + ".selectors]\n";
      for (const auto& [k, v] : s.selectors) t += k + " = " + TomlString(v) + "\n";
    }
  }
  return t;
}

// Starts the replay server; fails the command on error.
std::unique_ptr<testing::LocalHttpServer> StartReplay(const ReplayFlags& flags,
                                                      std::unique_ptr<FixtureReplay>& replay) {
  auto dir = FindFixturesDir(flags.fixtures);
  if (!dir.ok()) Fail(dir.status(), "replay server");
  auto faults = ParseReplayFaults(flags.faults);
  if (!faults.ok()) Fail(faults.status(), "replay server --faults", 2);
  replay = std::make_unique<FixtureReplay>(*dir, *faults);
  FixtureReplay* r = replay.get();
  auto server = std::make_unique<testing::LocalHttpServer>(
      [r](const testing::ServerRequest& req) { return r->Handle(req); });
  if (Status s = server->Start(flags.port); !s.ok()) Fail(s, "replay server");
  return server;
}

void RunReplayServer(const GlobalOptions& global, const ReplayFlags& flags) {
  LoadAppConfig(global, "replay");
  BlockTerminationSignals();
  std::unique_ptr<FixtureReplay> replay;
  auto server = StartReplay(flags, replay);
  std::printf("replay server listening on %s\n", server->Url("").c_str());
  std::fflush(stdout);
  WaitForTerminationSignal();
  server->Stop();
}

// Waits for SIGTERM/SIGINT (blocked in every thread) or for `child` to end.
void WaitForSignalOrExit(ProcessGroup& child) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  const timespec tick{0, 200'000'000};
  while (true) {
    if (sigtimedwait(&set, nullptr, &tick) > 0) return;
    if (auto ended = child.TryWait()) {
      Fail(Status::Internal("complaints serve ended: " + ended->ToString()), "demo");
    }
  }
}

void RunDemo(const GlobalOptions& global, const DemoFlags& flags) {
  AppConfig config = LoadAppConfig(global, "demo");
  BlockTerminationSignals();
  std::unique_ptr<FixtureReplay> replay;
  auto server = StartReplay(flags.replay, replay);

  std::string data_dir = flags.data_dir;
  if (data_dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "complaints-demo-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) Fail(Status::Unavailable("mkdtemp failed"), "demo");
    data_dir = tmpl;
  }
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) Fail(Status::Unavailable(ec.message()), "demo: creating " + data_dir);
  data_dir = fs::absolute(data_dir).string();
  config.data_dir = data_dir;
  config.server.listen = flags.listen;
  config.store.database_url = "sqlite:" + (fs::path(data_dir) / "complaints.db").string();
  config.queue.redis_url.clear();
  config.fetch.allow_networks = {"127.0.0.1/32"};
  PointSourcesAtReplay(config, server->Url(""));
  const std::string toml_path = (fs::path(data_dir) / "demo.toml").string();
  std::ofstream(toml_path) << DemoToml(config, flags.cron);
  // The file must load as `serve` will load it.
  auto check = LoadConfig(toml_path, {});
  if (!check.ok()) Fail(check.status(), "demo: the generated " + toml_path);

  if (flags.kickoff) {
    SystemClock clock;
    auto queue = OpenJobQueue(*check, clock);
    if (!queue.ok()) Fail(queue.status(), "demo: opening the job queue");
    EnqueueRequest first;
    first.type = "auto_scrape";
    if (auto e = (*queue)->Enqueue(first); !e.ok()) Fail(e.status(), "demo: enqueueing a first scrape");
  }

  auto self = SelfExecutablePath();
  if (!self.ok()) Fail(self.status(), "demo");
  SpawnOptions so;
  so.argv = {*self, "--config", toml_path, "--log-level", global.log_level, "--log-format",
             global.log_format, "serve"};
  // The environment overrides the file: make them agree. The test job types stay off unless
  // the caller turned them on explicitly (the dashboard's browser tests run in demo mode and
  // drive test.progress jobs).
  const char* test_jobs = std::getenv("COMPLAINTS_TEST_JOBS");
  const bool keep_test_jobs = test_jobs != nullptr && std::string(test_jobs) == "1";
  so.extra_env = {keep_test_jobs ? "COMPLAINTS_TEST_JOBS=1" : "COMPLAINTS_TEST_JOBS=0",
                  "COMPLAINTS_DATA_DIR=" + data_dir,
                  "DATABASE_URL=" + config.store.database_url,
                  "COMPLAINTS_LISTEN=" + flags.listen,
                  "COMPLAINTS_ALLOW_NETWORKS=127.0.0.1/32",
                  "REDIS_URL="};
  so.capture_stdout = false;
  so.capture_stderr = false;
  auto serve = ProcessGroup::Spawn(so);
  if (!serve.ok()) Fail(serve.status(), "demo: starting complaints serve");
  std::printf(
      "complaints demo\n  API and dashboard: http://%s  (try /posts, /sources, /jobs)\n"
      "  replay server:     %s  (fixtures of tests/fixtures/sources)\n"
      "  data:              %s  (config: demo.toml)\n"
      "A first scrape runs now; auto_scrape then runs on '%s'. Ctrl-C stops.\n",
      flags.listen.c_str(), server->Url("").c_str(), data_dir.c_str(), flags.cron.c_str());
  std::fflush(stdout);
  WaitForSignalOrExit(**serve);
  spdlog::info("stopping the demo");
  (*serve)->Terminate(std::chrono::seconds(30));
  server->Stop();
}

void AddReplayOptions(CLI::App* cmd, ReplayFlags& flags) {
  cmd->add_option("--fixtures", flags.fixtures,
                  "Fixtures folder (default ./tests/fixtures/sources, else the source tree's)");
  cmd->add_option("--faults", flags.faults,
                  "Fault injection, e.g. error=0.1,throttle=0.05,slow=0.1,delay_ms=500,"
                  "truncate=0.02,drop=0.02,drift=1,seed=7");
}

}  // namespace

void AddDemoCommand(CLI::App& root, const GlobalOptions& global) {
  auto demo = std::make_shared<DemoFlags>();
  CLI::App* cmd = root.add_subcommand(
      "demo", "Run everything against a local replay of saved source pages (no internet)");
  cmd->add_option("--listen", demo->listen, "API host:port");
  cmd->add_option("--data-dir", demo->data_dir, "Data folder (default: a fresh temporary one)");
  cmd->add_option("--cron", demo->cron, "auto_scrape schedule");
  cmd->add_option("--replay-port", demo->replay.port, "Replay server port (0 = any free one)");
  cmd->add_flag("!--no-kickoff", demo->kickoff, "Do not enqueue a first scrape at start");
  AddReplayOptions(cmd, demo->replay);
  cmd->callback([&global, demo] { RunDemo(global, *demo); });

  auto replay = std::make_shared<ReplayFlags>();
  CLI::App* rs = root.add_subcommand("replay-server", "Serve the source fixtures (tests, demo)");
  rs->group("");  // hidden
  rs->add_option("--port", replay->port, "Port on 127.0.0.1 (0 = any free one)");
  AddReplayOptions(rs, *replay);
  rs->callback([&global, replay] { RunReplayServer(global, *replay); });
}

}  // namespace ct
