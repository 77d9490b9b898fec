// Decoding of the Redis representations written by redis_scripts.cc: a job hash (HGETALL
// reply), a worker hash, and an event list entry "at|kind|feed-id|detail".
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "core/status.h"
#include "domain/job.h"

struct redisReply;

namespace ct {

// `reply`: the flat field/value array of HGETALL on P j:<id>. DataLoss when it is malformed.
Result<Job> DecodeJob(const redisReply& reply);
Result<WorkerInfo> DecodeWorker(const redisReply& reply);
Result<JobEvent> DecodeJobEvent(std::string_view job_id, std::string_view entry);

// Integer reply or numeric string; DataLoss otherwise.
Result<std::int64_t> ReplyInt(const redisReply& reply);

}  // namespace ct
