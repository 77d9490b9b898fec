// The SQL job queue: JobQueue (queue/job_queue.h) over the tables of the configured store's
// database, on SQLite (the embedded default) or PostgreSQL. One implementation, two dialects:
//   SQLite      WAL, busy_timeout; every write in BEGIN IMMEDIATE (serialised in-process by a
//               mutex, across processes by SQLite's lock); WaitForWork polls.
//   PostgreSQL  claims with FOR UPDATE SKIP LOCKED; NOTIFY on enqueue and a dedicated LISTEN
//               connection for WaitForWork; dead pooled connections are replaced, so the queue
//               survives a server restart (calls in flight fail with Unavailable).
// The queue opens its own connections to the SAME database as the Store and keeps its schema
// in its own migrations (queue_schema_migrations). All times come from the injected Clock.
//
// Thread safety: every method may be called from any thread; see JobQueue.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "queue/job_queue.h"
#include "queue/retry_policy.h"

namespace ct {

struct QueueSqlOptions {
  RetryPolicy retry;                    // backoff and how long finished jobs are kept
  int max_idle_connections = 16;        // pooled connections kept open
  int busy_timeout_ms = 10'000;         // SQLite: wait for the write lock this long
  int statement_timeout_ms = 30'000;    // PostgreSQL statement_timeout
  int connect_timeout_s = 5;            // PostgreSQL connection attempts
  int sqlite_poll_interval_ms = 50;     // SQLite WaitForWork: how often other processes are seen
  int pg_poll_interval_ms = 1'000;      // PostgreSQL WaitForWork: due-job check between NOTIFYs
  std::int64_t worker_stale_ms = 90'000;  // Workers(): dropped after 3 x 30 s lease periods
  // PostgreSQL EventsSince: a gap in event ids (a transaction still in flight) holds the feed
  // back until the event after it is this old; then the gap counts as a rollback.
  std::int64_t pg_feed_gap_wait_ms = 10'000;
  // Jitter source in [0, 1) for backoff; empty = an internal PRNG. Must be thread-safe.
  std::function<double()> uniform01;
};

// Opens (creating and migrating the queue tables when needed) the queue stored in
// `database_url`: "sqlite:PATH" (or "sqlite://PATH") or "postgresql://..." / "postgres://...".
// `clock` must outlive the queue. InvalidArgument for another scheme; Unavailable when the
// database cannot be reached.
Result<std::unique_ptr<JobQueue>> OpenSqlJobQueue(const std::string& database_url,
                                                  const QueueSqlOptions& options,
                                                  const Clock& clock);

}  // namespace ct
