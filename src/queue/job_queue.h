// JobQueue: durable job storage and the state machine of DESIGN.md §3. One interface, three
// backends, one conformance suite (queue/job_queue_conformance.h):
//   queue/sql   SQLite (WAL, BEGIN IMMEDIATE) and PostgreSQL (FOR UPDATE SKIP LOCKED, NOTIFY)
//   queue/redis Lua scripts, ZSETs for ready/delayed/leases, a stream for events
//   queue/fallback_queue.h  Redis first, the store's SQL queue when Redis is unreachable
//
// Time comes from the injected Clock only. Delivery is at least once: a job whose lease expires
// (its worker died or hung) runs again; handlers are idempotent.
//
// Fencing: Claim gives each attempt a token. Heartbeat, Progress, Complete and Fail must present
// (job_id, token); if the job was since rescued, re-claimed, cancelled or finished, the write is
// refused with Aborted("stale lease ...") and changes nothing — a zombie attempt cannot
// overwrite its successor.
//
// Thread safety: all methods may be called concurrently from any thread and any process.
// Errors: Unavailable / DeadlineExceeded when the backend is unreachable (transient);
// NotFound for an unknown id; InvalidArgument for bad requests; FailedPrecondition for a
// transition the state does not allow (e.g. cancelling a finished job).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "domain/job.h"

namespace ct {

class JobQueue {
 public:
  virtual ~JobQueue() = default;

  virtual std::string_view backend() const = 0;  // "sqlite" | "postgresql" | "redis" | "fallback"
  virtual Status Ping() = 0;
  // Why the queue runs in a reduced mode (e.g. Redis unreachable, jobs going to the SQL queue);
  // nullopt when healthy. Shown as `degraded` by GET /jobs/status.
  virtual std::optional<std::string> degraded_reason() const { return std::nullopt; }

  // Adds a job: scheduled when run_at > now, else queued. With a unique_key held by an active
  // job, adds nothing and returns that job with duplicate=true (atomic: two racing enqueues
  // with one key create one job). Validates priority (0..10), max_attempts >= 1,
  // max_crashes >= 1, timeout_s >= 1, type non-empty, payload a JSON object.
  // Event: enqueued.
  virtual Result<EnqueueResult> Enqueue(const EnqueueRequest& request) = 0;

  // Atomically takes up to `max` runnable jobs (queued, or scheduled/retrying whose run_at has
  // come), highest priority first, then earliest run_at, then id. Each becomes running with
  // worker_id, started_at = heartbeat_at = now, lease_expires_at = now + lease_ms,
  // attempts + 1 and a new, larger lease_token. Two concurrent claims never take the same job.
  // `types`: only these types; empty = any. Event: claimed.
  virtual Result<std::vector<Lease>> Claim(std::string_view worker_id, int max,
                                           std::span<const std::string> types,
                                           std::int64_t lease_ms) = 0;

  // Extends the lease to now + lease_ms; tells the worker whether cancellation was requested.
  virtual Result<HeartbeatReply> Heartbeat(const Lease& lease, std::int64_t lease_ms) = 0;

  // Records real progress (no event for every call: at most one progress event per second).
  virtual Status ReportProgress(const Lease& lease, const JobProgress& progress) = 0;

  // running|cancelling -> succeeded, result kept until now + result TTL. Event: succeeded.
  virtual Status Complete(const Lease& lease, std::string_view result_json) = 0;

  // Ends the attempt:
  //  kTransient: errors+1; retrying with run_at = now + backoff (RetryPolicy, honouring
  //              retry_after_ms) while errors < max_attempts, else dead. Event retried | dead.
  //  kPermanent: errors+1; dead. Event: dead.
  //  kCrash:     crashes+1; queued again at once while crashes < max_crashes, else dead.
  //              Event: rescued | dead.
  //  kCancelled: cancelled. Event: cancelled.
  // A job in cancelling always ends cancelled, whatever the kind.
  // last_error, last_failure and exit_signal keep the diagnostics.
  virtual Status Fail(const Lease& lease, const JobFailure& failure) = 0;

  // Crash-fails (kCrash, "lease expired") every running/cancelling job whose lease expired
  // before now. Returns how many. Called periodically by every worker (any may do it).
  virtual Result<int> RescueExpired() = 0;

  // Crash-fails, at once, every job leased by `worker_id` (the supervisor saw it exit).
  virtual Result<int> ReleaseWorker(std::string_view worker_id, std::string_view reason) = 0;

  // queued/scheduled/retrying -> cancelled at once (atomic with claims: a job is either claimed
  // or cancelled, never both). running -> cancelling (cancel_requested). Cancelling or
  // cancelled: returns the job unchanged (idempotent). succeeded/dead: FailedPrecondition.
  virtual Result<Job> Cancel(std::string_view id) = 0;

  // Replays a dead or cancelled job: queued, errors and crashes reset, attempts kept.
  // Other states: FailedPrecondition. Event: replayed.
  virtual Result<Job> Retry(std::string_view id) = 0;

  virtual Result<Job> Get(std::string_view id) = 0;
  virtual Result<std::vector<JobEvent>> Events(std::string_view id) = 0;  // oldest first
  // The feed of all jobs' events, for GET /jobs/stream: events after `cursor`, oldest first,
  // at most `limit`, and the cursor to continue from. cursor "" means "from now": no events,
  // just the current position. Cursors are opaque and backend-specific.
  virtual Result<std::pair<std::vector<JobEvent>, std::string>> EventsSince(
      std::string_view cursor, int limit) = 0;

  // Keyset page, newest first. `cursor` is a previous next_cursor ("" = first page).
  virtual Result<JobPage> List(const JobFilter& filter, std::string_view cursor, int limit) = 0;
  virtual Result<QueueCounts> Counts() = 0;

  // Deletes finished jobs (and their events) whose results expired before now. Returns how many.
  virtual Result<int> Prune() = 0;

  // Workers announce themselves and their current jobs (every heartbeat); entries not refreshed
  // for 3 lease periods are dropped from Workers().
  virtual Status ReportWorker(const WorkerInfo& worker) = 0;
  virtual Result<std::vector<WorkerInfo>> Workers() = 0;
  virtual Status RemoveWorker(std::string_view worker_id) = 0;

  // Blocks until a job may be ready (a notification, or a scheduled run_at coming due) or
  // timeout_ms passes. Spurious wake-ups are allowed; callers then Claim.
  virtual Status WaitForWork(std::int64_t timeout_ms) = 0;

  // --- scheduler coordination ---

  // Takes or renews the named lease for `holder` until now + ttl_ms. True when `holder` holds it
  // after the call. Another holder's unexpired lease is never taken.
  virtual Result<bool> AcquireLeadership(std::string_view name, std::string_view holder,
                                         std::int64_t ttl_ms) = 0;
  virtual Status ReleaseLeadership(std::string_view name, std::string_view holder) = 0;

  // Records that `schedule` fired for `fire_time`. True the first time for that pair, false
  // ever after (kept at least `keep_ms`), so two schedulers never enqueue the same tick.
  virtual Result<bool> RecordFiring(std::string_view schedule, UnixMillis fire_time,
                                    std::int64_t keep_ms) = 0;
};

}  // namespace ct
