// `complaints`: one binary, one subcommand per role or tool (see commands.h).
#include <CLI/CLI.hpp>

#include "app/app_context.h"
#include "app/commands.h"

int main(int argc, char** argv) {
  ct::GlobalOptions global;
  CLI::App app{"Complaints tracker: collects, analyses and serves what customers say in public."};
  app.set_version_flag("--version", "complaints 0.1.0");
  app.option_defaults()->always_capture_default();
  app.add_option("-c,--config", global.config_path, "TOML config file (defaults + env if none)")
      ->check(CLI::ExistingFile);
  app.add_option("--log-format", global.log_format, "Log format")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", global.log_level, "Log level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.require_subcommand(1);
  app.fallthrough();

  ct::AddServeCommand(app, global);
  ct::AddApiCommand(app, global);
  ct::AddTokenCommand(app, global);
  ct::AddImportCommand(app, global);
  ct::AddWorkerCommand(app, global);
  ct::AddSchedulerCommand(app, global);
  ct::AddBackupCommand(app, global);
  ct::AddMigrateDataCommand(app, global);
#ifdef CT_HAVE_ANALYSIS
  ct::AddAnalyzeCommand(app, global);
#endif
  ct::AddScrapeCommand(app, global);
  ct::AddParseCommand(app, global);
  ct::AddDemoCommand(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const ct::CommandFailed& e) {
    return e.exit_code;
  }
  return 0;
}
