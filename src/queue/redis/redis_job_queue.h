// The Redis JobQueue backend (DESIGN.md §3): every transition is one Lua script (one round
// trip), ready/delayed/lease ZSETs, a hash per job, an event list per job and a stream for the
// global feed. Key layout and script conventions: redis_scripts.h.
//
// Requirements checked at open: `maxmemory-policy` must be `noeviction` (an evicting Redis
// silently drops jobs) — anything else is FailedPrecondition; persistence off (no AOF, no RDB
// save points) is logged as a warning, since a restart then loses every job.
//
// Thread safety: the returned queue is thread-safe (a pool of connections; a connection broken
// by an outage is dropped and the next call reconnects).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "queue/job_queue.h"
#include "queue/retry_policy.h"

namespace ct {

struct RedisQueueOptions {
  // Every key starts with this; two deployments (or two tests) on one Redis use two prefixes.
  std::string key_prefix = "ct:jobs:";
  std::int64_t connect_timeout_ms = 2'000;
  std::int64_t command_timeout_ms = 5'000;  // every call has this deadline (BLPOP: its wait + this)
  int max_idle_connections = 64;            // pooled connections kept open
  // Workers() drops a worker not reported for this long (3 lease periods of 30 s).
  std::int64_t worker_expiry_ms = 90'000;
  std::int64_t feed_max_len = 100'000;  // events kept in the global stream (approximate trim)
  RetryPolicy retry;                    // backoff and result TTL
  // false: Open fails (Unavailable) when Redis is unreachable. true: Open succeeds and the
  // open-time checks run on first contact — for FallbackQueue, which must start without Redis.
  bool connect_lazily = false;
};

// `redis_url`: redis://[[user]:password@]host[:port][/db]. `clock` must outlive the queue.
Result<std::unique_ptr<JobQueue>> OpenRedisJobQueue(const std::string& redis_url,
                                                    const RedisQueueOptions& options,
                                                    const Clock& clock);

}  // namespace ct
