// Worker: claims jobs from a JobQueue and runs each attempt through a JobRunner (isolated types
// in a child process group), up to `concurrency` at a time.
//
// Threads it owns:
//  - the claim loop: claims up to the free slots, else WaitForWork; periodically RescueExpired;
//  - the heartbeat thread (never a job's thread): every heartbeat_ms extends the lease of every
//    running attempt, learns of cancellation (-> the attempt is stopped and ends kCancelled),
//    enforces the hard deadline of inline attempts, and reports the worker (ReportWorker);
//  - runner threads, started on demand and reused (as many as attempts were ever in progress at
//    once: `concurrency`, plus any still writing an outcome): each runs a claimed attempt,
//    forwards its progress (throttled) and ends the attempt with Complete or Fail, then, while a
//    slot is free, claims the next job itself and runs it: no hand-off between threads per job
//    while work is queued. (A thread per attempt, or a hand-off per job, cost more than a cheap
//    inline job itself: clone and stack mmap/munmap, futex wake-ups.)
//    A write refused with Aborted (stale lease: the job was rescued and belongs to another
//    attempt) is logged and never retried; a write that failed because the queue is unreachable
//    is retried (capped backoff) until it is taken or refused, or until Stop's drain grace ends.
//    Meanwhile the lease keeps being renewed, so an outage of the queue does not make a finished
//    job run twice, and the slot is free for other jobs (e.g. from the SQL fallback while Redis
//    is down).
//
// Stop (idempotent; also from the destructor) drains: no new claims; running attempts get
// drain_grace_ms to finish; those still running are then stopped (SIGTERM, kill_grace, SIGKILL)
// and failed with kCrash "worker stopped before the job finished" — the same semantics as
// ReleaseWorker when a worker dies: the job is requeued at once and the interruption counts
// against its crash budget, not its error budget.
//
// Thread safety: Start/Stop from one controlling thread; the accessors from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "jobs/job_registry.h"
#include "jobs/job_runner.h"
#include "queue/job_queue.h"

namespace ct {

struct WorkerOptions {
  std::string id;                         // "" = "<host>:<pid>"
  int concurrency = 2;                    // WORKER_CONCURRENCY
  std::int64_t lease_ms = 5000;           // a dead worker's jobs come back after this
  std::int64_t heartbeat_ms = 1000;       // < lease_ms / 2
  int job_timeout_s = 300;                // JOB_TIMEOUT: cap on any attempt (a job may ask less)
  std::int64_t kill_grace_ms = 5000;      // SIGTERM -> SIGKILL of a job's group
  std::int64_t drain_grace_ms = 20000;    // Stop: how long running attempts may still finish
  std::int64_t memory_limit_bytes = 0;    // per process of a job's group; 0 = none
  std::string binary;                     // complaints binary for isolated jobs
  std::vector<std::string> child_args;    // global flags passed to `run-job`
  std::int64_t idle_wait_ms = 500;        // WaitForWork timeout
  std::int64_t rescue_interval_ms = 5000; // RescueExpired period
  std::int64_t progress_interval_ms = 250;  // at most one ReportProgress per attempt per period
  std::vector<std::string> types;         // only these types; empty = every registered type
};

// Returns InvalidArgument naming a bad option.
Status ValidateWorkerOptions(const WorkerOptions& options);

class Worker {
 public:
  Worker(JobQueue& queue, const JobRegistry& registry, WorkerOptions options, const Clock& clock);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts the threads. FailedPrecondition if already started; InvalidArgument for bad options.
  Status Start();
  // Drains and stops (see above). Idempotent.
  void Stop();

  const std::string& id() const { return options_.id; }
  int running() const;                  // attempts in progress
  std::int64_t finished() const;        // attempts ended (any outcome) since Start

 private:
  struct Attempt {
    Lease lease;
    AttemptControl control;
    std::int64_t deadline_us = 0;  // monotonic
    int timeout_s = 0;
    std::string key;         // in attempts_
    bool recording = false;  // the handler ended; the outcome is being written (slot free)
    int heartbeat_failures = 0;  // in a row; heartbeat thread only
    bool done = false;
  };

  void ClaimLoop();
  void HeartbeatLoop();
  void RunnerLoop();
  // Runs the attempt and records its outcome; returns the next attempt this runner claimed
  // (nullptr: none, the runner goes idle).
  Attempt* RunAttempt(Attempt* attempt);
  Attempt* ClaimNext();  // with a slot reserved (reserved_)
  Attempt* Register(Lease lease);  // a claimed lease into attempts_; needs mu_ held
  void Finish(const Attempt& attempt, const AttemptOutcome& outcome);
  template <typename F>
  Status WriteOutcome(const std::string& job_id, F&& write);
  // Attempts whose handler still runs, plus slots reserved by runners claiming their next job;
  // needs mu_ held.
  int BusySlots() const;
  WorkerInfo Info() const;

  JobQueue& queue_;
  const JobRegistry& registry_;
  WorkerOptions options_;
  const Clock& clock_;
  JobRunner runner_;
  std::vector<std::string> types_;
  std::int64_t started_at_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // slot freed, stop requested
  std::map<std::string, std::shared_ptr<Attempt>> attempts_;  // by "job_id#token"
  std::deque<Attempt*> to_run_;     // claimed, waiting for a runner (owned by attempts_)
  std::condition_variable run_cv_;  // to_run_ filled, or stop_runners_
  int idle_runners_ = 0;
  int reserved_ = 0;  // runners claiming their next job (each holds a slot)
  bool stop_runners_ = false;
  bool started_ = false;
  bool stopping_ = false;       // no more claims
  bool stop_heartbeat_ = false;
  bool abandon_writes_ = false; // Stop's drain grace is over: outcome writes stop retrying
  std::int64_t finished_ = 0;
  std::thread claim_thread_;
  std::thread heartbeat_thread_;
  std::vector<std::thread> runners_;
  std::once_flag stop_once_;
};

}  // namespace ct
