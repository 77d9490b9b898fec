// The Lua scripts of the Redis job queue: each state transition is one script, so it is atomic
// and costs one round trip (EVALSHA; reloaded on NOSCRIPT after a Redis restart).
//
// Calling convention (every script): EVALSHA sha 0 prefix now_ms feed_max result_ttl_ms args...
//   - keys are built from the prefix inside the script (single-instance Redis; not Cluster-safe);
//   - time is the injected Clock's, passed in ARGV; scripts never call TIME;
//   - refusals are error replies "<CODE> message" with CODE one of NOT_FOUND, ABORTED,
//     FAILED_PRECONDITION, INVALID_ARGUMENT (mapped to Status by the queue).
//
// Keys (P = prefix):
//   P j:<id>        hash: the job (field names in redis_job_codec.cc)
//   P ev:<id>       list: the job's events, "at|kind|feed-id|detail-json"
//   P feed          stream: every event (EventsSince cursor = stream id)
//   P rdy:<type>    zset: runnable jobs, score (10 - priority) * 1e13 + run_at; ties by id
//   P types         set: every type seen (claims with no type filter look at each rdy:<type>)
//   P dly           zset: scheduled/retrying jobs by run_at (moved to rdy: on claim when due)
//   P lease         zset: running/cancelling jobs by lease expiry
//   P fin           zset: finished jobs by result expiry (Prune)
//   P all, P st:<state>  zsets (score 0, lexicographic): ids for List, Counts
//   P qc            hash: active jobs per queue
//   P u:<key>       string: id of the job holding a unique key
//   P wake          list: one token per enqueue, BLPOPed by WaitForWork
//   P w:<id>, P workers   hash per worker + zset by last report time
//   P lead:<name>, P fire:<schedule>:<ms>   scheduler coordination
//
// Constants only; thread-safe.
#pragma once

#include <string_view>

namespace ct::redis_scripts {

// Shared helpers, prepended to every script below.
extern const std::string_view kPrelude;
extern const std::string_view kEnqueue;
extern const std::string_view kClaim;
extern const std::string_view kHeartbeat;
extern const std::string_view kProgress;
extern const std::string_view kComplete;
extern const std::string_view kFail;
extern const std::string_view kRescue;
extern const std::string_view kRelease;
extern const std::string_view kCancel;
extern const std::string_view kRetry;
extern const std::string_view kEvents;
extern const std::string_view kList;
extern const std::string_view kCounts;
extern const std::string_view kPrune;
extern const std::string_view kReportWorker;
extern const std::string_view kWorkers;
extern const std::string_view kRemoveWorker;
extern const std::string_view kAcquireLeadership;
extern const std::string_view kReleaseLeadership;
extern const std::string_view kRecordFiring;
extern const std::string_view kNextDue;

}  // namespace ct::redis_scripts
