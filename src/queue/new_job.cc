#include "queue/new_job.h"

#include <nlohmann/json.hpp>

namespace ct {

Result<Job> NewJob(const EnqueueRequest& r, UnixMillis now) {
  if (r.type.empty()) return Status::InvalidArgument("job type must not be empty");
  if (r.queue.empty()) return Status::InvalidArgument("queue name must not be empty");
  if (r.priority < kMinPriority || r.priority > kMaxPriority)
    return Status::InvalidArgument("priority must be between 0 and 10, got " +
                                   std::to_string(r.priority));
  if (r.max_attempts < 1) return Status::InvalidArgument("max_attempts must be >= 1");
  if (r.max_crashes < 1) return Status::InvalidArgument("max_crashes must be >= 1");
  if (r.timeout_s < 1) return Status::InvalidArgument("timeout_s must be >= 1");
  const auto payload = nlohmann::json::parse(r.payload_json, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded() || !payload.is_object())
    return Status::InvalidArgument("payload must be a JSON object");
  Job job;
  job.id = NewJobId(now);
  job.type = r.type;
  job.queue = r.queue;
  job.payload_json = r.payload_json;
  job.priority = r.priority;
  job.unique_key = r.unique_key;
  job.max_attempts = r.max_attempts;
  job.max_crashes = r.max_crashes;
  job.timeout_s = r.timeout_s;
  job.created_at = now;
  const bool scheduled = r.run_at.has_value() && *r.run_at > now;
  job.run_at = scheduled ? *r.run_at : now;
  job.state = scheduled ? JobState::kScheduled : JobState::kQueued;
  return job;
}

}  // namespace ct
