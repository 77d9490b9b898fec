#include "jobs/job_protocol.h"

#include <nlohmann/json.hpp>

namespace ct {

using nlohmann::json;

std::string EncodeProgressLine(const JobProgress& p) {
  return json{{"progress", {{"done", p.done}, {"total", p.total}, {"message", p.message}}}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

std::string EncodeResultLine(std::string_view result_json) {
  json value = json::parse(result_json, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    value = json{{"text", std::string(result_json)}};
  } else if (!value.is_object()) {
    value = json{{"value", std::move(value)}};
  }
  return json{{"result", std::move(value)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string EncodeErrorLine(const Status& status, std::optional<std::int64_t> retry_after_ms) {
  json error{{"code", std::string(StatusCodeName(status.code()))},
             {"message", status.message()},
             {"transient", status.transient()}};
  if (retry_after_ms) error["retry_after_ms"] = *retry_after_ms;
  return json{{"error", std::move(error)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

StatusCode StatusCodeFromName(std::string_view name) {
  for (int c = static_cast<int>(StatusCode::kOk); c <= static_cast<int>(StatusCode::kInternal);
       ++c) {
    if (StatusCodeName(static_cast<StatusCode>(c)) == name) return static_cast<StatusCode>(c);
  }
  return StatusCode::kInternal;
}

Result<ChildMessage> ParseChildLine(std::string_view line) {
  json msg = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (msg.is_discarded() || !msg.is_object() || msg.size() != 1) {
    return Status::InvalidArgument("not a protocol line: " + std::string(line.substr(0, 200)));
  }
  if (auto it = msg.find("progress"); it != msg.end() && it->is_object()) {
    JobProgress p;
    p.done = it->value("done", std::int64_t{0});
    p.total = it->value("total", std::int64_t{0});
    p.message = it->value("message", std::string());
    return ChildMessage{std::move(p)};
  }
  if (auto it = msg.find("result"); it != msg.end() && it->is_object()) {
    return ChildMessage{ChildResult{it->dump()}};
  }
  if (auto it = msg.find("error"); it != msg.end() && it->is_object()) {
    ChildError e;
    StatusCode code = StatusCodeFromName(it->value("code", std::string("internal")));
    if (code == StatusCode::kOk) code = StatusCode::kInternal;
    e.status = Status(code, it->value("message", std::string("(no message)")));
    if (auto r = it->find("retry_after_ms"); r != it->end() && r->is_number_integer()) {
      e.retry_after_ms = r->get<std::int64_t>();
    }
    return ChildMessage{std::move(e)};
  }
  return Status::InvalidArgument("not a protocol line: " + std::string(line.substr(0, 200)));
}

}  // namespace ct
