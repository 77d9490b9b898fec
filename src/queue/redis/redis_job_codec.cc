#include "queue/redis/redis_job_codec.h"

#include <hiredis/hiredis.h>

#include <charconv>
#include <string>

namespace ct {
namespace {

bool ToInt(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::string_view Str(const redisReply& r) {
  return r.str == nullptr ? std::string_view() : std::string_view(r.str, r.len);
}

Status Malformed(std::string_view what, std::string_view field, std::string_view value) {
  return Status::DataLoss("redis queue: malformed " + std::string(what) + " field '" +
                          std::string(field) + "' = '" + std::string(value) + "'");
}

}  // namespace

Result<std::int64_t> ReplyInt(const redisReply& reply) {
  if (reply.type == REDIS_REPLY_INTEGER) return static_cast<std::int64_t>(reply.integer);
  std::int64_t v = 0;
  if (reply.type == REDIS_REPLY_STRING && ToInt(Str(reply), v)) return v;
  return Status::DataLoss("redis queue: expected an integer reply");
}

Result<Job> DecodeJob(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements % 2 != 0) {
    return Status::DataLoss("redis queue: a job hash is not a field/value array");
  }
  Job job;
  bool has_id = false;
  for (size_t i = 0; i + 1 < reply.elements; i += 2) {
    const std::string_view f = Str(*reply.element[i]);
    const std::string_view v = Str(*reply.element[i + 1]);
    std::int64_t n = 0;
    auto num = [&](auto& out) -> Status {
      if (!ToInt(v, n)) return Malformed("job", f, v);
      out = static_cast<std::remove_reference_t<decltype(out)>>(n);
      return Status::Ok();
    };
    auto opt = [&](std::optional<std::int64_t>& out) -> Status {
      if (!ToInt(v, n)) return Malformed("job", f, v);
      out = n;
      return Status::Ok();
    };
    if (f == "id") {
      job.id = std::string(v);
      has_id = true;
    } else if (f == "type") {
      job.type = std::string(v);
    } else if (f == "queue") {
      job.queue = std::string(v);
    } else if (f == "payload") {
      job.payload_json = std::string(v);
    } else if (f == "priority") {
      CT_RETURN_IF_ERROR(num(job.priority));
    } else if (f == "state") {
      CT_ASSIGN_OR_RETURN(job.state, ParseJobState(v));
    } else if (f == "unique_key") {
      job.unique_key = std::string(v);
    } else if (f == "attempts") {
      CT_RETURN_IF_ERROR(num(job.attempts));
    } else if (f == "errors") {
      CT_RETURN_IF_ERROR(num(job.errors));
    } else if (f == "max_attempts") {
      CT_RETURN_IF_ERROR(num(job.max_attempts));
    } else if (f == "crashes") {
      CT_RETURN_IF_ERROR(num(job.crashes));
    } else if (f == "max_crashes") {
      CT_RETURN_IF_ERROR(num(job.max_crashes));
    } else if (f == "timeout_s") {
      CT_RETURN_IF_ERROR(num(job.timeout_s));
    } else if (f == "created_at") {
      CT_RETURN_IF_ERROR(num(job.created_at));
    } else if (f == "run_at") {
      CT_RETURN_IF_ERROR(num(job.run_at));
    } else if (f == "started_at") {
      CT_RETURN_IF_ERROR(opt(job.started_at));
    } else if (f == "finished_at") {
      CT_RETURN_IF_ERROR(opt(job.finished_at));
    } else if (f == "heartbeat_at") {
      CT_RETURN_IF_ERROR(opt(job.heartbeat_at));
    } else if (f == "lease_expires_at") {
      CT_RETURN_IF_ERROR(opt(job.lease_expires_at));
    } else if (f == "worker_id") {
      job.worker_id = std::string(v);
    } else if (f == "lease_token") {
      CT_RETURN_IF_ERROR(num(job.lease_token));
    } else if (f == "progress_done") {
      CT_RETURN_IF_ERROR(num(job.progress.done));
    } else if (f == "progress_total") {
      CT_RETURN_IF_ERROR(num(job.progress.total));
    } else if (f == "progress_message") {
      job.progress.message = std::string(v);
    } else if (f == "result") {
      job.result_json = std::string(v);
    } else if (f == "last_error") {
      job.last_error = std::string(v);
    } else if (f == "last_failure") {
      if (v == "transient") job.last_failure = FailureKind::kTransient;
      else if (v == "permanent") job.last_failure = FailureKind::kPermanent;
      else if (v == "crash") job.last_failure = FailureKind::kCrash;
      else if (v == "cancelled") job.last_failure = FailureKind::kCancelled;
      else return Malformed("job", f, v);
    } else if (f == "exit_signal") {
      int sig = 0;
      CT_RETURN_IF_ERROR(num(sig));
      job.exit_signal = sig;
    } else if (f == "cancel_requested") {
      job.cancel_requested = v == "1";
    }
    // Other fields (progress_event_at) are bookkeeping.
  }
  if (!has_id) return Status::DataLoss("redis queue: job hash without an id");
  return job;
}

Result<WorkerInfo> DecodeWorker(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements % 2 != 0) {
    return Status::DataLoss("redis queue: a worker hash is not a field/value array");
  }
  WorkerInfo w;
  for (size_t i = 0; i + 1 < reply.elements; i += 2) {
    const std::string_view f = Str(*reply.element[i]);
    const std::string_view v = Str(*reply.element[i + 1]);
    std::int64_t n = 0;
    const bool numeric = ToInt(v, n);
    if (f == "id") {
      w.id = std::string(v);
    } else if (f == "host") {
      w.host = std::string(v);
    } else if (f == "jobs") {
      size_t start = 0;
      while (start < v.size()) {
        size_t end = v.find('\n', start);
        if (end == std::string_view::npos) end = v.size();
        w.current_jobs.emplace_back(v.substr(start, end - start));
        start = end + 1;
      }
    } else if (f == "pid" || f == "concurrency" || f == "started_at" || f == "heartbeat_at") {
      if (!numeric) return Malformed("worker", f, v);
      if (f == "pid") w.pid = static_cast<int>(n);
      else if (f == "concurrency") w.concurrency = static_cast<int>(n);
      else if (f == "started_at") w.started_at = n;
      else w.heartbeat_at = n;
    }
  }
  return w;
}

Result<JobEvent> DecodeJobEvent(std::string_view job_id, std::string_view entry) {
  const size_t a = entry.find('|');
  const size_t b = a == std::string_view::npos ? a : entry.find('|', a + 1);
  const size_t c = b == std::string_view::npos ? b : entry.find('|', b + 1);
  JobEvent e;
  if (c == std::string_view::npos || !ToInt(entry.substr(0, a), e.at)) {
    return Status::DataLoss("redis queue: malformed event '" + std::string(entry) + "'");
  }
  e.job_id = std::string(job_id);
  e.kind = std::string(entry.substr(a + 1, b - a - 1));
  e.cursor = std::string(entry.substr(b + 1, c - b - 1));
  e.detail_json = std::string(entry.substr(c + 1));
  return e;
}

}  // namespace ct
