// The line protocol between a worker and its `complaints run-job` child. The child writes one
// JSON object per line on stdout:
//   {"progress":{"done":3,"total":10,"message":"page 3"}}
//   {"result":{...}}                       the handler's result (a JSON object); last line
//   {"error":{"code":"unavailable","message":"...","transient":true,"retry_after_ms":5000}}
// Anything else on stdout is a protocol violation (reported, not fatal); logs go to stderr.
// Plain functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/status.h"
#include "domain/job.h"

namespace ct {

struct ChildResult {
  std::string result_json;
};
struct ChildError {
  Status status;  // code and message as the handler returned them
  std::optional<std::int64_t> retry_after_ms;
};
using ChildMessage = std::variant<JobProgress, ChildResult, ChildError>;

std::string EncodeProgressLine(const JobProgress& progress);
// result_json must be a JSON object text; anything else is wrapped as {"value": ...} or, when
// not JSON at all, {"text": "..."}.
std::string EncodeResultLine(std::string_view result_json);
std::string EncodeErrorLine(const Status& status, std::optional<std::int64_t> retry_after_ms);

// InvalidArgument when the line is not one of the three messages.
Result<ChildMessage> ParseChildLine(std::string_view line);

// "unavailable" -> StatusCode::kUnavailable; unknown names map to kInternal.
StatusCode StatusCodeFromName(std::string_view name);

}  // namespace ct
