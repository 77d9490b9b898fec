// The subcommands of the `complaints` binary. Each lives in cmd_<name>.cc and registers itself
// on the root CLI::App; main.cc only parses. app/ is the one place objects are wired together.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace ct {

// Options every subcommand sees (set before its callback runs).
struct GlobalOptions {
  std::string config_path;          // --config; empty = built-in defaults + environment
  std::string log_format = "text";  // --log-format text|json
  std::string log_level = "info";   // --log-level
};

void AddServeCommand(CLI::App& root, const GlobalOptions& global);
void AddApiCommand(CLI::App& root, const GlobalOptions& global);
void AddTokenCommand(CLI::App& root, const GlobalOptions& global);
void AddImportCommand(CLI::App& root, const GlobalOptions& global);
void AddAnalyzeCommand(CLI::App& root, const GlobalOptions& global);
void AddWorkerCommand(CLI::App& root, const GlobalOptions& global);
void AddSchedulerCommand(CLI::App& root, const GlobalOptions& global);
// `backup` and `restore` (cmd_backup.cc).
void AddBackupCommand(CLI::App& root, const GlobalOptions& global);
void AddMigrateDataCommand(CLI::App& root, const GlobalOptions& global);  // cmd_migrate_data.cc
void AddScrapeCommand(CLI::App& root, const GlobalOptions& global);  // cmd_scrape.cc
void AddParseCommand(CLI::App& root, const GlobalOptions& global);   // cmd_parse.cc
// `demo` and the hidden `replay-server` (cmd_demo.cc).
void AddDemoCommand(CLI::App& root, const GlobalOptions& global);

}  // namespace ct
