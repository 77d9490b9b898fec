// complaints serve: everything in one place, the embedded default (SQLite in ./data).
#include <CLI/CLI.hpp>

#include "app/cmd_api.h"
#include "app/commands.h"

namespace ct {

void AddServeCommand(CLI::App& root, const GlobalOptions& global) {
  auto opts = std::make_shared<ApiOptions>();
  CLI::App* cmd = root.add_subcommand(
      "serve", "Run everything in one place: API and dashboard on the embedded SQLite store");
  cmd->add_option("--listen", opts->listen, "host:port to listen on (default 127.0.0.1:8080)");
  cmd->callback([&global, opts] { RunApi(global, *opts, "serve"); });
}

}  // namespace ct
