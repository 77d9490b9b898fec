// JobRegistry: the job types this binary knows — name -> handler, isolation and payload
// validator. The /jobs API calls ValidatePayload before enqueueing, workers look up the handler
// of each claimed job, and `complaints run-job` runs one in a child process.
//
// Thread safety: Register during start-up (one thread); afterwards the const methods may be
// called concurrently.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"
#include "jobs/job_handler.h"

namespace ct {

enum class JobIsolation {
  kIsolated,  // runs in a child process group of the worker: browsers, untrusted input, I/O-heavy
  kInline,    // runs on a worker thread: cheap and trusted; cannot be killed, only cancelled
};

// Checks a payload (already known to be a JSON object). Returns InvalidArgument naming the field
// and the problem, e.g. "payload.limit must be an integer between 1 and 10000".
using PayloadValidator = std::function<Status(const nlohmann::json& payload)>;

struct JobTypeSpec {
  std::string name;
  JobIsolation isolation = JobIsolation::kIsolated;
  PayloadValidator validate;  // null: any JSON object
  JobHandler handler;
  std::string description;
};

class JobRegistry {
 public:
  // AlreadyExists for a duplicate name; InvalidArgument for an empty name or no handler.
  Status Register(JobTypeSpec spec);

  // nullptr when unknown.
  const JobTypeSpec* Find(std::string_view type) const;

  // InvalidArgument when the type is unknown ("unknown job type 'x' (known: ...)"), the payload
  // is not a JSON object, or the type's validator refuses it.
  Status ValidatePayload(std::string_view type, std::string_view payload_json) const;

  std::vector<std::string> Types() const;  // sorted

 private:
  std::map<std::string, JobTypeSpec, std::less<>> types_;
};

}  // namespace ct
