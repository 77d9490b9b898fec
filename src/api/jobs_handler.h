// The /jobs resource: status, list, detail with events, enqueue (generic and the named
// shortcuts), cancel, replay and a server-sent-events feed. Handlers parse, call the JobQueue,
// render; the queue is the only state.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "api/api_context.h"
#include "api/router.h"
#include "core/status.h"

namespace ct {

class JobQueue;

struct JobRoutesDeps {
  JobQueue& queue;
  // Checks a job type and its payload (JobRegistry::ValidatePayload in the app). Must return
  // InvalidArgument naming the problem, e.g. "unknown job type 'x'".
  std::function<Status(std::string_view type, std::string_view payload_json)> validate;
  // The supervisor's state file (children, restarts), "" when not supervised.
  std::string supervisor_state_path;
  // How often /jobs/stream polls the event feed.
  int stream_poll_ms = 250;
};

// GET /jobs/status, GET /jobs, GET /jobs/{id}, POST /jobs, POST /jobs/scrape,
// POST /jobs/scrape-all, POST /jobs/auto-scrape, POST /jobs/backup, DELETE /jobs/{id},
// POST /jobs/{id}/retry, GET /jobs/stream; and the job metrics (per state, oldest queued age,
// durations per type and outcome, retries, rescues, worker restarts). `deps` must outlive the
// server.
Status RegisterJobRoutes(Router& router, ApiContext& context, JobRoutesDeps& deps);

}  // namespace ct
