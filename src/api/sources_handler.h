// The /sources resource: GET /sources lists every configured source with what it remembers
// (sources/source_state.h: per query the cursor, last run, last success and last error; the
// circuit breaker) and how many posts it has collected (Store::Stats by source). Also the
// metric complaints_source_breaker_open{source} (1 while the source's circuit is open).
//
// Read-only: the state file is written by the scrapers (workers), read here on each request.
#pragma once

#include <string>
#include <vector>

#include "api/api_context.h"
#include "api/router.h"
#include "core/config.h"
#include "core/status.h"

namespace ct {

struct SourcesDeps {
  std::vector<SourceConfig> sources;  // [sources.NAME], in config order
  std::string state_path;             // data_dir/source_state.json
};

// GET /sources. `deps` must outlive the server.
Status RegisterSourceRoutes(Router& router, ApiContext& context, SourcesDeps& deps);

}  // namespace ct
