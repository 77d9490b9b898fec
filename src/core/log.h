// Logging set-up. Code logs through spdlog's default logger (spdlog::info(...)), which this
// configures once at start, in app/. JSON format writes one object per line with ts, level,
// pid, role and msg, for log shippers.
#pragma once

#include <string>

#include "core/status.h"

namespace ct {

// level: trace|debug|info|warn|error|off; format: text|json. `role` tags every line
// (api, worker-1, scheduler...). Logs go to stderr.
Status InitLogging(const std::string& level, const std::string& format, const std::string& role);

}  // namespace ct
