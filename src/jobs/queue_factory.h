// OpenJobQueue: the one place that decides which JobQueue backend a process uses, so the API,
// the workers, the scheduler and the supervisor all agree:
//   REDIS_URL set -> FallbackQueue(Redis, SQL queue on DATABASE_URL): Redis first, the SQL queue
//                    while Redis is unreachable (even at start);
//   otherwise     -> the SQL queue in the store's database (SQLite or PostgreSQL).
// Backends not built into this binary make REDIS_URL fall back to SQL alone (with a warning);
// no SQL backend at all is Unavailable.
#pragma once

#include <memory>

#include "core/clock.h"
#include "core/config.h"
#include "core/status.h"
#include "queue/job_queue.h"

namespace ct {

// `clock` must outlive the queue.
Result<std::unique_ptr<JobQueue>> OpenJobQueue(const AppConfig& config, const Clock& clock);

}  // namespace ct
