// JobHandler: the code of one job type, and the context it runs with.
//
// A handler runs either in a child process group (`complaints run-job`, for isolated types) or
// on a worker thread (inline types). Either way it sees the same JobContext: its payload, a
// progress reporter, a cancellation flag it should poll between units of work, and a place to
// leave a Retry-After. It returns the result as a JSON object text, or a Status: transient codes
// (Unavailable, DeadlineExceeded, ResourceExhausted, Aborted) are retried with backoff,
// everything else sends the job to dead at once.
//
// Thread safety: a JobContext belongs to one running handler; Progress() may be called from any
// thread the handler starts; cancelled() may be read from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/status.h"
#include "domain/job.h"

namespace ct {

class JobContext {
 public:
  using ProgressSink = std::function<void(const JobProgress&)>;

  JobContext(std::string job_id, std::string type, std::string payload_json, int attempt,
             ProgressSink progress, const std::atomic<bool>* cancel)
      : job_id_(std::move(job_id)),
        type_(std::move(type)),
        payload_json_(std::move(payload_json)),
        attempt_(attempt),
        progress_(std::move(progress)),
        cancel_(cancel) {}

  const std::string& job_id() const { return job_id_; }
  const std::string& type() const { return type_; }
  const std::string& payload_json() const { return payload_json_; }  // validated JSON object
  int attempt() const { return attempt_; }

  // Real progress: `done` of `total` units (total 0 = unknown).
  void Progress(std::int64_t done, std::int64_t total, std::string message = {}) const {
    if (progress_) progress_(JobProgress{done, total, std::move(message)});
  }
  // True once cancellation was requested, the deadline passed or the worker is stopping. The
  // handler should stop soon and return any error; the group is SIGKILLed after a grace period.
  bool cancelled() const { return cancel_ != nullptr && cancel_->load(); }

  // With a transient error: the earliest retry the remote asked for (Retry-After).
  void set_retry_after_ms(std::int64_t ms) { retry_after_ms_ = ms; }
  std::optional<std::int64_t> retry_after_ms() const { return retry_after_ms_; }

 private:
  std::string job_id_;
  std::string type_;
  std::string payload_json_;
  int attempt_;
  ProgressSink progress_;
  const std::atomic<bool>* cancel_;
  std::optional<std::int64_t> retry_after_ms_;
};

// Returns the result (a JSON object text) or why it failed.
using JobHandler = std::function<Result<std::string>(JobContext&)>;

}  // namespace ct
