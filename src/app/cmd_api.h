// The API role, shared by `complaints api` and (until the supervisor runs it as a child)
// `complaints serve`.
#pragma once

#include <string>

namespace ct {

struct GlobalOptions;

struct ApiOptions {
  std::string listen;  // overrides server.listen / COMPLAINTS_LISTEN
};

// Runs the API until SIGTERM/SIGINT, then drains. Throws CommandFailed on start errors.
void RunApi(const GlobalOptions& global, const ApiOptions& options, const std::string& role);

}  // namespace ct
