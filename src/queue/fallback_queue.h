// FallbackQueue: the Redis queue first, the store's SQL queue while Redis is unreachable
// (DESIGN.md §3 "Fallback"). Nothing accepted is lost and nothing lives only in memory: every
// job is in one of the two durable backends, and workers drain both.
//
//  - Enqueue goes to Redis; when Redis answers Unavailable/DeadlineExceeded (at start or later)
//    the job goes to SQL and the queue reports degraded (degraded_reason()). While degraded,
//    Redis is probed again with backoff (probe_min_ms doubling to probe_max_ms); once it answers,
//    new jobs go to Redis again.
//  - Claim takes from both, alternating which goes first. While Redis is healthy, an SQL queue
//    found empty is looked at again only every sql_poll_ms, so the Redis hot path stays one
//    round trip.
//  - Id-addressed calls (Heartbeat, Complete, Fail, Progress, Get, Cancel, Retry, Events) go to the
//    backend that holds the job: remembered from Claim, else Redis then SQL on NotFound (job ids
//    are ULIDs, unique across backends). A job held by an unreachable Redis is Unavailable.
//  - List, Counts, Workers, EventsSince, RescueExpired, ReleaseWorker, Prune merge both; an
//    unreachable Redis is left out (the answer is then partial and degraded_reason() says so).
//  - After an outage, Redis's expired leases are not rescued for rescue_grace_ms from the probe
//    that saw Redis again: the leases lapsed because nobody could reach Redis, not because their
//    workers died, and live workers renew them (and record the outcomes they held) within a
//    heartbeat or two. Rescuing at once would run those jobs a second time. Leases of workers
//    that really died are rescued after the grace (or at once by ReleaseWorker). A process that
//    never saw the outage (started after it) applies no grace.
//  - Scheduler coordination (leadership, firings) always uses SQL: the one backend every process
//    reaches, so two schedulers never hold two different leases.
//
// Caveats: a unique_key is only enforced within one backend (an SQL-enqueued job does not see
// an active Redis job with the same key); an Enqueue that timed out on Redis (DeadlineExceeded),
// or whose connection broke after the command was sent (Redis killed at that instant), may have
// been stored there too, so it can run twice — delivery is at least once anyway. (The Redis
// outage drill stops Redis between enqueues for that reason: it counts executions exactly.)
//
// Thread safety: thread-safe, like every JobQueue.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "queue/job_queue.h"

namespace ct {

struct FallbackQueueOptions {
  std::int64_t probe_min_ms = 1'000;  // first re-probe of an unreachable Redis after this
  std::int64_t probe_max_ms = 5'000;  // backoff cap between probes
  std::int64_t sql_poll_ms = 1'000;   // an empty SQL queue is claimed from again after this
  // Redis back after an outage: its expired leases are left to their workers this long (two
  // default worker lease periods) before RescueExpired judges them.
  std::int64_t rescue_grace_ms = 10'000;
};

class FallbackQueue final : public JobQueue {
 public:
  // `redis` may be unreachable already (open it with RedisQueueOptions::connect_lazily).
  // `clock` must outlive the queue; its monotonic reading paces the probes.
  FallbackQueue(std::unique_ptr<JobQueue> redis, std::unique_ptr<JobQueue> sql, const Clock& clock,
                FallbackQueueOptions options = {});

  // Why new jobs go to SQL ("redis unreachable: ..."), or nullopt when Redis is in use.
  std::optional<std::string> degraded_reason() const override;

  std::string_view backend() const override { return "fallback"; }
  Status Ping() override;
  Result<EnqueueResult> Enqueue(const EnqueueRequest& request) override;
  Result<std::vector<Lease>> Claim(std::string_view worker_id, int max,
                                   std::span<const std::string> types,
                                   std::int64_t lease_ms) override;
  Result<HeartbeatReply> Heartbeat(const Lease& lease, std::int64_t lease_ms) override;
  Status ReportProgress(const Lease& lease, const JobProgress& progress) override;
  Status Complete(const Lease& lease, std::string_view result_json) override;
  Status Fail(const Lease& lease, const JobFailure& failure) override;
  Result<int> RescueExpired() override;
  Result<int> ReleaseWorker(std::string_view worker_id, std::string_view reason) override;
  Result<Job> Cancel(std::string_view id) override;
  Result<Job> Retry(std::string_view id) override;
  Result<Job> Get(std::string_view id) override;
  Result<std::vector<JobEvent>> Events(std::string_view id) override;
  Result<std::pair<std::vector<JobEvent>, std::string>> EventsSince(std::string_view cursor,
                                                                    int limit) override;
  Result<JobPage> List(const JobFilter& filter, std::string_view cursor, int limit) override;
  Result<QueueCounts> Counts() override;
  Result<int> Prune() override;
  Status ReportWorker(const WorkerInfo& worker) override;
  Result<std::vector<WorkerInfo>> Workers() override;
  Status RemoveWorker(std::string_view worker_id) override;
  Status WaitForWork(std::int64_t timeout_ms) override;
  Result<bool> AcquireLeadership(std::string_view name, std::string_view holder,
                                 std::int64_t ttl_ms) override;
  Status ReleaseLeadership(std::string_view name, std::string_view holder) override;
  Result<bool> RecordFiring(std::string_view schedule, UnixMillis fire_time,
                            std::int64_t keep_ms) override;

 private:
  enum class Side { kRedis, kSql };

  // True when Redis may be used now: healthy, or degraded with a probe due that succeeded.
  bool RedisUsable();
  // Records a Redis outage (only for Unavailable/DeadlineExceeded); true if it was one.
  bool NoteRedisError(const Status& status);
  Status RedisDownStatus() const;
  bool SqlWorthClaiming();
  bool InRescueGrace() const;
  void NoteSqlClaim(bool found_work);
  JobQueue& Of(Side side) { return side == Side::kRedis ? *redis_ : *sql_; }
  void Remember(const std::string& id, Side side);
  void Forget(const std::string& id);
  std::optional<Side> RouteOf(const std::string& id);
  // Runs `call` on the backend holding job `id` (see the class comment).
  template <typename Call>
  auto ById(const std::string& id, Call&& call) -> decltype(call(std::declval<JobQueue&>()));
  // Runs `call` on both backends (Redis skipped while unreachable) and sums the counts.
  Result<int> SumBoth(const std::function<Result<int>(JobQueue&)>& call);

  const std::unique_ptr<JobQueue> redis_;
  const std::unique_ptr<JobQueue> sql_;
  const Clock& clock_;
  const FallbackQueueOptions options_;
  std::atomic<unsigned> claim_turn_{0};

  mutable std::mutex mu_;
  bool redis_down_ = false;            // guarded by mu_
  std::string down_reason_;            // guarded by mu_
  std::int64_t next_probe_us_ = 0;     // monotonic; guarded by mu_
  std::int64_t probe_backoff_ms_ = 0;  // guarded by mu_
  bool probing_ = false;               // one prober at a time; guarded by mu_
  std::int64_t redis_back_us_ = -1;    // monotonic: when a probe saw Redis again; mu_
  std::int64_t sql_idle_until_us_ = 0; // guarded by mu_
  std::unordered_map<std::string, Side> routes_;  // job id -> backend of a live lease; mu_
};

}  // namespace ct
