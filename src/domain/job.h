// Jobs: units of background work (a scrape, a backup, a re-analysis) and their history.
// Plain values shared by every queue backend, the workers, the scheduler and the /jobs API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ct {

// Milliseconds since the Unix epoch, from the injected Clock (never the database's clock, so a
// FakeClock drives leases, backoff and TTLs in tests).
using UnixMillis = std::int64_t;

enum class JobState {
  kQueued,      // ready to run now
  kScheduled,   // run_at in the future
  kRunning,     // claimed under a lease
  kRetrying,    // failed with a transient error; waits for its backoff (run_at)
  kSucceeded,   // final
  kDead,        // final: attempts or crash budget spent, or a permanent error
  kCancelling,  // cancel requested while running; the worker kills it on its next heartbeat
  kCancelled,   // final
};

std::string_view JobStateName(JobState state);  // "queued", "scheduled", ...
Result<JobState> ParseJobState(std::string_view name);
bool IsFinal(JobState state);   // succeeded, dead, cancelled
bool IsActive(JobState state);  // not final: counts for unique keys and overlap

inline constexpr int kMinPriority = 0;
inline constexpr int kMaxPriority = 10;  // higher runs first
inline constexpr int kDefaultPriority = 5;

struct JobProgress {
  std::int64_t done = 0;
  std::int64_t total = 0;  // 0 = unknown
  std::string message;
  bool operator==(const JobProgress&) const = default;
};

// Why an attempt ended without success. Decides what happens next (see JobQueue::Fail).
enum class FailureKind {
  kTransient,  // timeout, 5xx, 429...: retry with backoff while errors < max_attempts
  kPermanent,  // 4xx, parse drift, bad payload: dead at once
  kCrash,      // the attempt's process was killed, OOM-killed, hung past its deadline, or its
               // worker died: counts against the crash budget, not max_attempts
  kCancelled,  // the attempt stopped because cancellation was requested
};
std::string_view FailureKindName(FailureKind kind);

struct JobFailure {
  FailureKind kind = FailureKind::kTransient;
  std::string message;
  std::optional<int> exit_signal;            // e.g. 9 when SIGKILLed
  std::optional<std::int64_t> retry_after_ms;  // a Retry-After the source asked for
};

struct Job {
  std::string id;  // 26-char ULID: unique across backends, sortable by creation time
  std::string type;
  std::string queue = "default";
  std::string payload_json = "{}";
  int priority = kDefaultPriority;
  JobState state = JobState::kQueued;
  std::string unique_key;  // "" = none; at most one active job per key

  int attempts = 0;  // claims so far
  int errors = 0;    // attempts that failed with an error (transient or permanent)
  int max_attempts = 5;
  int crashes = 0;
  int max_crashes = 3;
  int timeout_s = 300;  // hard deadline of one attempt

  UnixMillis created_at = 0;
  UnixMillis run_at = 0;  // earliest start (scheduled / retry backoff)
  std::optional<UnixMillis> started_at;   // last claim
  std::optional<UnixMillis> finished_at;  // final state reached
  std::optional<UnixMillis> heartbeat_at;
  std::optional<UnixMillis> lease_expires_at;
  std::string worker_id;  // holder of the current lease
  std::int64_t lease_token = 0;  // fencing token; increases with every claim

  JobProgress progress;
  std::string result_json;  // set on success
  std::string last_error;
  std::optional<FailureKind> last_failure;
  std::optional<int> exit_signal;
  bool cancel_requested = false;

  bool operator==(const Job&) const = default;
};

// One entry of a job's append-only event log.
struct JobEvent {
  std::string job_id;
  UnixMillis at = 0;
  // enqueued, claimed, progress, retried, rescued, cancel_requested, cancelled, succeeded, dead,
  // replayed
  std::string kind;
  std::string detail_json = "{}";
  std::string cursor;  // backend position, for resuming a feed (EventsSince)
  bool operator==(const JobEvent&) const = default;
};

// A new job's description (POST /jobs).
struct EnqueueRequest {
  std::string type;
  std::string queue = "default";
  std::string payload_json = "{}";
  int priority = kDefaultPriority;
  std::optional<UnixMillis> run_at;  // in the future: state scheduled
  int max_attempts = 5;
  int max_crashes = 3;
  int timeout_s = 300;
  std::string unique_key;
};

struct EnqueueResult {
  Job job;
  bool duplicate = false;  // unique_key matched an active job, which is returned instead
};

// What a claim hands a worker: the job and the token every later write must present.
struct Lease {
  std::string job_id;
  std::int64_t token = 0;
  Job job;  // as claimed
};

struct HeartbeatReply {
  bool cancel_requested = false;
};

struct JobFilter {
  std::vector<JobState> states;  // any of; empty = all
  std::string type;              // "" = all
};

struct JobPage {
  std::vector<Job> items;        // newest first (by id, which sorts by creation)
  std::string next_cursor;       // "" = no more
};

struct QueueCounts {
  std::vector<std::pair<std::string, std::int64_t>> by_state;  // every state, zeros included
  std::vector<std::pair<std::string, std::int64_t>> by_queue;  // active jobs per queue
  std::optional<std::int64_t> oldest_queued_age_ms;            // ready jobs waiting longest
};

struct WorkerInfo {
  std::string id;  // e.g. "host:pid:n"
  std::string host;
  int pid = 0;
  int concurrency = 0;
  std::vector<std::string> current_jobs;
  UnixMillis started_at = 0;
  UnixMillis heartbeat_at = 0;
  bool operator==(const WorkerInfo&) const = default;
};

// A new ULID-style id: 48-bit milliseconds + 80 random bits, Crockford base32.
std::string NewJobId(UnixMillis now);

}  // namespace ct
