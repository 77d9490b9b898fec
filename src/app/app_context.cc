#include "app/app_context.h"

#include <cstdio>

#include "app/commands.h"
#include "core/log.h"
#include "store/store.h"

namespace ct {

void Fail(const Status& status, const std::string& context, int exit_code) {
  std::fprintf(stderr, "complaints: %s: %s\n", context.c_str(), status.ToString().c_str());
  throw CommandFailed{exit_code};
}

AppConfig LoadAppConfig(const GlobalOptions& global, const std::string& role) {
  auto config = LoadConfig(global.config_path, ProcessEnvironment());
  if (!config.ok()) Fail(config.status(), "invalid configuration", 2);
  // Command-line flags win over file and environment.
  const std::string level = global.log_level != "info" ? global.log_level : config->log.level;
  const std::string format = global.log_format != "text" ? global.log_format : config->log.format;
  if (Status s = InitLogging(level, format, role); !s.ok()) Fail(s, "logging", 2);
  return *std::move(config);
}

std::unique_ptr<Store> OpenStoreOrFail(const AppConfig& config, const Clock& clock) {
  auto store = OpenStore(config.store, clock);
  if (!store.ok()) Fail(store.status(), "opening store " + config.store.database_url);
  return std::move(store).value();
}

}  // namespace ct
