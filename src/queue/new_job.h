// The one place an EnqueueRequest becomes a Job, shared by every JobQueue backend so they validate
// and initialise jobs identically.
#pragma once

#include "core/status.h"
#include "domain/job.h"

namespace ct {

// Validates `request` (type and queue non-empty, priority 0..10, max_attempts, max_crashes and
// timeout_s >= 1, payload a JSON object) and returns the new job at `now`: a fresh id, state
// scheduled when run_at is in the future, else queued. InvalidArgument names the bad field.
Result<Job> NewJob(const EnqueueRequest& request, UnixMillis now);

}  // namespace ct
