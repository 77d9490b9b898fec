// What every subcommand starts from: the validated config, logging set up, a clock.
// Commands that fail print one line naming the problem on stderr and throw CommandFailed,
// which main turns into the exit code (so destructors still run).
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/status.h"

namespace ct {

struct GlobalOptions;
class Store;

struct CommandFailed {
  int exit_code = 1;
};

// Loads config (file + environment), sets up logging for `role`. On error prints it and throws.
AppConfig LoadAppConfig(const GlobalOptions& global, const std::string& role);

// Prints "complaints: <context>: <message>" and throws CommandFailed{exit_code}.
[[noreturn]] void Fail(const Status& status, const std::string& context, int exit_code = 1);

// Opens the configured store (applying migrations) or fails the command.
std::unique_ptr<Store> OpenStoreOrFail(const AppConfig& config, const Clock& clock);

}  // namespace ct
