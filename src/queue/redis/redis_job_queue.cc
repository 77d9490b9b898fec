#include "queue/redis/redis_job_queue.h"
#include "queue/new_job.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>

#include "queue/redis/redis_connection.h"
#include "queue/redis/redis_job_codec.h"
#include "queue/redis/redis_scripts.h"
#include "queue/redis/redis_url.h"

namespace ct {
namespace {

// A script with its SHA1, computed locally so EVALSHA needs no SCRIPT LOAD until Redis
// answers NOSCRIPT (first use, or after a restart emptied its script cache).
struct Script {
  std::string source;
  std::string sha;
};

Script MakeScript(std::string_view body) {
  Script s;
  s.source = std::string(redis_scripts::kPrelude) + std::string(body);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.source.data()), s.source.size(), digest);
  char hex[2 * SHA_DIGEST_LENGTH + 1];
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  s.sha = hex;
  return s;
}

struct Scripts {
  Script enqueue = MakeScript(redis_scripts::kEnqueue);
  Script claim = MakeScript(redis_scripts::kClaim);
  Script heartbeat = MakeScript(redis_scripts::kHeartbeat);
  Script progress = MakeScript(redis_scripts::kProgress);
  Script complete = MakeScript(redis_scripts::kComplete);
  Script fail = MakeScript(redis_scripts::kFail);
  Script rescue = MakeScript(redis_scripts::kRescue);
  Script release = MakeScript(redis_scripts::kRelease);
  Script cancel = MakeScript(redis_scripts::kCancel);
  Script retry = MakeScript(redis_scripts::kRetry);
  Script events = MakeScript(redis_scripts::kEvents);
  Script list = MakeScript(redis_scripts::kList);
  Script counts = MakeScript(redis_scripts::kCounts);
  Script prune = MakeScript(redis_scripts::kPrune);
  Script report_worker = MakeScript(redis_scripts::kReportWorker);
  Script workers = MakeScript(redis_scripts::kWorkers);
  Script remove_worker = MakeScript(redis_scripts::kRemoveWorker);
  Script acquire_leadership = MakeScript(redis_scripts::kAcquireLeadership);
  Script release_leadership = MakeScript(redis_scripts::kReleaseLeadership);
  Script record_firing = MakeScript(redis_scripts::kRecordFiring);
  Script next_due = MakeScript(redis_scripts::kNextDue);
};

std::string_view ReplyStr(const redisReply& r) {
  return r.str == nullptr ? std::string_view() : std::string_view(r.str, r.len);
}

// Error replies of our scripts start with a code word (redis_scripts.h).
Status ScriptError(const redisReply& reply, std::string_view what) {
  const std::string_view msg = ReplyStr(reply);
  const size_t space = msg.find(' ');
  const std::string_view code = msg.substr(0, space);
  const std::string rest(space == std::string_view::npos ? "" : msg.substr(space + 1));
  if (code == "NOT_FOUND") return Status::NotFound(rest);
  if (code == "ABORTED") return Status::Aborted(rest);
  if (code == "FAILED_PRECONDITION") return Status::FailedPrecondition(rest);
  if (code == "INVALID_ARGUMENT") return Status::InvalidArgument(rest);
  return RedisReplyError(reply, what);
}

bool IsStreamId(std::string_view s) {
  const size_t dash = s.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 == s.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i != dash && (s[i] < '0' || s[i] > '9')) return false;
  }
  return true;
}

class RedisJobQueue final : public JobQueue {
 public:
  RedisJobQueue(RedisEndpoint endpoint, const RedisQueueOptions& options, const Clock& clock)
      : options_(options),
        clock_(clock),
        pool_(std::move(endpoint),
              RedisTimeouts{options.connect_timeout_ms, options.command_timeout_ms},
              options.max_idle_connections),
        rng_(std::random_device{}()) {}

  // The open-time checks (maxmemory-policy, persistence); Ok once they passed.
  Status Verify() {
    if (verified_.load(std::memory_order_acquire)) return Status::Ok();
    std::lock_guard lock(verify_mu_);
    if (verified_.load()) return Status::Ok();
    auto policy = ConfigGet("maxmemory-policy");
    if (!policy.ok() && policy.status().code() == StatusCode::kInternal) {
      // CONFIG is disabled on some managed services: nothing to check against.
      spdlog::warn("redis queue: cannot read maxmemory-policy ({}); make sure it is noeviction",
                   policy.status().message());
    } else if (!policy.ok()) {
      return policy.status();
    } else if (*policy != "noeviction") {
      return Status::FailedPrecondition(
          "redis maxmemory-policy is '" + *policy +
          "'; the job queue requires 'noeviction' (an evicting Redis silently drops jobs): "
          "run CONFIG SET maxmemory-policy noeviction or set it in redis.conf");
    }
    auto aof = ConfigGet("appendonly");
    auto save = ConfigGet("save");
    if (aof.ok() && save.ok() && *aof == "no" && save->empty()) {
      spdlog::warn(
          "redis queue: persistence is off (appendonly no, no save points): a Redis restart "
          "loses every queued job; enable AOF (appendonly yes) in production");
    }
    verified_.store(true, std::memory_order_release);
    return Status::Ok();
  }

  std::string_view backend() const override { return "redis"; }

  Status Ping() override {
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply, Run({"PING"}));
    CT_RETURN_IF_ERROR(RedisReplyError(*reply, "PING"));
    return Verify();
  }

  Result<EnqueueResult> Enqueue(const EnqueueRequest& request) override {
    const UnixMillis now = clock_.NowMillis();
    CT_ASSIGN_OR_RETURN(Job job, NewJob(request, now));
    const bool scheduled = job.state == JobState::kScheduled;
    CT_ASSIGN_OR_RETURN(
        RedisReplyPtr reply,
        Eval(scripts_.enqueue, now,
             {job.id, job.type, job.queue, job.payload_json, std::to_string(job.priority),
              std::to_string(job.run_at), std::to_string(job.max_attempts),
              std::to_string(job.max_crashes), std::to_string(job.timeout_s), job.unique_key,
              scheduled ? "1" : "0"}));
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1) {
      return Status::Internal("redis enqueue: unexpected reply");
    }
    if (reply->element[0]->integer == 1 && reply->elements == 2) {
      CT_ASSIGN_OR_RETURN(Job existing, DecodeJob(*reply->element[1]));
      return EnqueueResult{std::move(existing), true};
    }
    return EnqueueResult{std::move(job), false};
  }

  Result<std::vector<Lease>> Claim(std::string_view worker_id, int max,
                                   std::span<const std::string> types,
                                   std::int64_t lease_ms) override {
    if (max < 1) return Status::InvalidArgument("claim max must be >= 1");
    if (lease_ms < 1) return Status::InvalidArgument("lease_ms must be >= 1");
    std::vector<std::string> args = {std::to_string(lease_ms), std::to_string(max),
                                     std::string(worker_id), std::to_string(types.size())};
    args.insert(args.end(), types.begin(), types.end());
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply, Eval(scripts_.claim, clock_.NowMillis(), args));
    std::vector<Lease> leases;
    leases.reserve(reply->elements);
    for (size_t i = 0; i < reply->elements; ++i) {
      CT_ASSIGN_OR_RETURN(Job job, DecodeJob(*reply->element[i]));
      Lease lease;
      lease.job_id = job.id;
      lease.token = job.lease_token;
      lease.job = std::move(job);
      leases.push_back(std::move(lease));
    }
    return leases;
  }

  Result<HeartbeatReply> Heartbeat(const Lease& lease, std::int64_t lease_ms) override {
    if (lease_ms < 1) return Status::InvalidArgument("lease_ms must be >= 1");
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply,
                        Eval(scripts_.heartbeat, clock_.NowMillis(),
                             {lease.job_id, std::to_string(lease.token), std::to_string(lease_ms)}));
    return HeartbeatReply{reply->integer == 1};
  }

  Status ReportProgress(const Lease& lease, const JobProgress& progress) override {
    return Eval(scripts_.progress, clock_.NowMillis(),
                {lease.job_id, std::to_string(lease.token), std::to_string(progress.done),
                 std::to_string(progress.total), progress.message})
        .status();
  }

  Status Complete(const Lease& lease, std::string_view result_json) override {
    return Eval(scripts_.complete, clock_.NowMillis(),
                {lease.job_id, std::to_string(lease.token), std::string(result_json)})
        .status();
  }

  Status Fail(const Lease& lease, const JobFailure& failure) override {
    std::vector<std::string> args = {
        lease.job_id, std::to_string(lease.token), std::string(FailureKindName(failure.kind)),
        failure.message, failure.exit_signal ? std::to_string(*failure.exit_signal) : ""};
    // The backoff for every possible error count (the script picks errors + 1), from one
    // uniform draw: BackoffMs stays the single definition of the policy.
    const double u = Uniform01();
    const RetryPolicy& p = options_.retry;
    int distinct = 1;  // beyond this many errors the ceiling is the cap: the delay repeats
    while (distinct < 40 && static_cast<double>(p.base_ms) * static_cast<double>(1LL << (distinct - 1)) <
                                static_cast<double>(p.cap_ms)) {
      ++distinct;
    }
    for (int e = 1; e <= distinct; ++e) {
      args.push_back(std::to_string(BackoffMs(p, e, failure.retry_after_ms, [u] { return u; })));
    }
    return Eval(scripts_.fail, clock_.NowMillis(), args).status();
  }

  Result<int> RescueExpired() override { return EvalCountLoop(scripts_.rescue, {}, 1000); }

  Result<int> ReleaseWorker(std::string_view worker_id, std::string_view reason) override {
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply,
                        Eval(scripts_.release, clock_.NowMillis(),
                             {std::string(worker_id), std::string(reason)}));
    return static_cast<int>(reply->integer);
  }

  Result<Job> Cancel(std::string_view id) override {
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply,
                        Eval(scripts_.cancel, clock_.NowMillis(), {std::string(id)}));
    return DecodeJob(*reply);
  }

  Result<Job> Retry(std::string_view id) override {
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply,
                        Eval(scripts_.retry, clock_.NowMillis(), {std::string(id)}));
    return DecodeJob(*reply);
  }

  Result<Job> Get(std::string_view id) override {
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply, Run({"HGETALL", Key("j:") + std::string(id)}));
    CT_RETURN_IF_ERROR(RedisReplyError(*reply, "HGETALL"));
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 0) {
      return Status::NotFound("job " + std::string(id) + " not found");
    }
    return DecodeJob(*reply);
  }

  Result<std::vector<JobEvent>> Events(std::string_view id) override {
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply,
                        Eval(scripts_.events, clock_.NowMillis(), {std::string(id)}));
    std::vector<JobEvent> events;
    events.reserve(reply->elements);
    for (size_t i = 0; i < reply->elements; ++i) {
      CT_ASSIGN_OR_RETURN(JobEvent e, DecodeJobEvent(id, ReplyStr(*reply->element[i])));
      events.push_back(std::move(e));
    }
    return events;
  }

  Result<std::pair<std::vector<JobEvent>, std::string>> EventsSince(std::string_view cursor,
                                                                    int limit) override {
    if (limit < 1) return Status::InvalidArgument("limit must be >= 1");
    std::vector<JobEvent> events;
    if (cursor.empty()) {
      CT_ASSIGN_OR_RETURN(RedisReplyPtr reply,
                          Run({"XREVRANGE", Key("feed"), "+", "-", "COUNT", "1"}));
      CT_RETURN_IF_ERROR(RedisReplyError(*reply, "XREVRANGE"));
      if (reply->elements == 0) return std::make_pair(std::move(events), std::string("0-0"));
      return std::make_pair(std::move(events), std::string(ReplyStr(*reply->element[0]->element[0])));
    }
    if (!IsStreamId(cursor)) {
      return Status::InvalidArgument("bad event cursor '" + std::string(cursor) + "'");
    }
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply,
                        Run({"XRANGE", Key("feed"), "(" + std::string(cursor), "+", "COUNT",
                             std::to_string(limit)}));
    CT_RETURN_IF_ERROR(RedisReplyError(*reply, "XRANGE"));
    std::string next(cursor);
    for (size_t i = 0; i < reply->elements; ++i) {
      const redisReply& entry = *reply->element[i];
      JobEvent e;
      e.cursor = std::string(ReplyStr(*entry.element[0]));
      const redisReply& fields = *entry.element[1];
      for (size_t f = 0; f + 1 < fields.elements; f += 2) {
        const std::string_view name = ReplyStr(*fields.element[f]);
        const std::string_view value = ReplyStr(*fields.element[f + 1]);
        if (name == "j") e.job_id = std::string(value);
        else if (name == "k") e.kind = std::string(value);
        else if (name == "d") e.detail_json = std::string(value);
        else if (name == "a") e.at = std::strtoll(std::string(value).c_str(), nullptr, 10);
      }
      next = e.cursor;
      events.push_back(std::move(e));
    }
    return std::make_pair(std::move(events), std::move(next));
  }

  Result<JobPage> List(const JobFilter& filter, std::string_view cursor, int limit) override {
    if (limit < 1) return Status::InvalidArgument("limit must be >= 1");
    std::vector<std::string> args = {std::to_string(limit), std::string(cursor), filter.type,
                                     std::to_string(filter.states.size())};
    for (JobState s : filter.states) args.emplace_back(JobStateName(s));
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply, Eval(scripts_.list, clock_.NowMillis(), args));
    JobPage page;
    for (size_t i = 0; i < reply->elements && static_cast<int>(i) < limit; ++i) {
      CT_ASSIGN_OR_RETURN(Job job, DecodeJob(*reply->element[i]));
      page.items.push_back(std::move(job));
    }
    if (static_cast<int>(reply->elements) > limit) page.next_cursor = page.items.back().id;
    return page;
  }

  Result<QueueCounts> Counts() override {
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply, Eval(scripts_.counts, clock_.NowMillis(), {}));
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 10) {
      return Status::Internal("redis counts: unexpected reply");
    }
    QueueCounts counts;
    for (int s = 0; s < 8; ++s) {
      counts.by_state.emplace_back(std::string(JobStateName(static_cast<JobState>(s))),
                                   reply->element[s]->integer);
    }
    if (reply->element[8]->integer >= 0) {
      counts.oldest_queued_age_ms =
          std::max<std::int64_t>(0, clock_.NowMillis() - reply->element[8]->integer);
    }
    const redisReply& qc = *reply->element[9];
    for (size_t i = 0; i + 1 < qc.elements; i += 2) {
      CT_ASSIGN_OR_RETURN(std::int64_t n, ReplyInt(*qc.element[i + 1]));
      if (n > 0) counts.by_queue.emplace_back(std::string(ReplyStr(*qc.element[i])), n);
    }
    std::sort(counts.by_queue.begin(), counts.by_queue.end());
    return counts;
  }

  Result<int> Prune() override { return EvalCountLoop(scripts_.prune, {}, 500); }

  Status ReportWorker(const WorkerInfo& worker) override {
    if (worker.id.empty()) return Status::InvalidArgument("worker id must not be empty");
    std::string jobs;
    for (const auto& j : worker.current_jobs) {
      if (!jobs.empty()) jobs += '\n';
      jobs += j;
    }
    return Eval(scripts_.report_worker, clock_.NowMillis(),
                {worker.id, worker.host, std::to_string(worker.pid),
                 std::to_string(worker.concurrency), jobs, std::to_string(worker.started_at),
                 std::to_string(worker.heartbeat_at)})
        .status();
  }

  Result<std::vector<WorkerInfo>> Workers() override {
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply,
                        Eval(scripts_.workers, clock_.NowMillis(),
                             {std::to_string(options_.worker_expiry_ms)}));
    std::vector<WorkerInfo> workers;
    for (size_t i = 0; i < reply->elements; ++i) {
      CT_ASSIGN_OR_RETURN(WorkerInfo w, DecodeWorker(*reply->element[i]));
      workers.push_back(std::move(w));
    }
    return workers;
  }

  Status RemoveWorker(std::string_view worker_id) override {
    return Eval(scripts_.remove_worker, clock_.NowMillis(), {std::string(worker_id)}).status();
  }

  Status WaitForWork(std::int64_t timeout_ms) override {
    if (timeout_ms <= 0) return Status::Ok();
    const UnixMillis now = clock_.NowMillis();
    CT_ASSIGN_OR_RETURN(RedisReplyPtr due, Eval(scripts_.next_due, now, {}));
    std::int64_t wait_ms = timeout_ms;
    if (due->integer >= 0) {
      if (due->integer <= now) return Status::Ok();  // a delayed job is due: claim it
      wait_ms = std::min<std::int64_t>(wait_ms, due->integer - now);
    }
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f", static_cast<double>(wait_ms) / 1000.0);
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply, Run({"BLPOP", Key("wake"), seconds},
                                                 wait_ms + options_.command_timeout_ms));
    return RedisReplyError(*reply, "BLPOP");
  }

  Result<bool> AcquireLeadership(std::string_view name, std::string_view holder,
                                 std::int64_t ttl_ms) override {
    if (ttl_ms < 1) return Status::InvalidArgument("ttl_ms must be >= 1");
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply,
                        Eval(scripts_.acquire_leadership, clock_.NowMillis(),
                             {std::string(name), std::string(holder), std::to_string(ttl_ms)}));
    return reply->integer == 1;
  }

  Status ReleaseLeadership(std::string_view name, std::string_view holder) override {
    return Eval(scripts_.release_leadership, clock_.NowMillis(),
                {std::string(name), std::string(holder)})
        .status();
  }

  Result<bool> RecordFiring(std::string_view schedule, UnixMillis fire_time,
                            std::int64_t keep_ms) override {
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply,
                        Eval(scripts_.record_firing, clock_.NowMillis(),
                             {std::string(schedule), std::to_string(fire_time),
                              std::to_string(std::max<std::int64_t>(keep_ms, 1))}));
    return reply->integer == 1;
  }

 private:
  std::string Key(std::string_view suffix) const { return options_.key_prefix + std::string(suffix); }

  Result<std::string> ConfigGet(const std::string& name) {
    CT_ASSIGN_OR_RETURN(RedisReplyPtr reply, Run({"CONFIG", "GET", name}));
    CT_RETURN_IF_ERROR(RedisReplyError(*reply, "CONFIG GET " + name));
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
      return Status::Internal("CONFIG GET " + name + ": no such setting");
    }
    return std::string(ReplyStr(*reply->element[1]));
  }

  // One command on a pooled connection. A connection that sat idle may have died with a
  // restarted Redis: then the pool is emptied and the command tried once on a new connection.
  Result<RedisReplyPtr> Run(const std::vector<std::string>& args, std::int64_t timeout_ms = 0) {
    for (int attempt = 0;; ++attempt) {
      CT_ASSIGN_OR_RETURN(RedisPool::Handle conn, pool_.Acquire());
      auto reply = conn->Command(args, timeout_ms);
      if (reply.ok() || attempt > 0 || !conn.reused() ||
          reply.status().code() != StatusCode::kUnavailable) {
        return reply;
      }
      pool_.Clear();
    }
  }

  // EVALSHA with the common arguments; NOSCRIPT -> SCRIPT LOAD and again. Script refusals are
  // mapped to their Status.
  Result<RedisReplyPtr> Eval(const Script& script, UnixMillis now,
                             const std::vector<std::string>& args) {
    CT_RETURN_IF_ERROR(Verify());
    std::vector<std::string> argv;
    argv.reserve(args.size() + 7);
    argv.insert(argv.end(), {"EVALSHA", script.sha, "0", options_.key_prefix, std::to_string(now),
                             std::to_string(options_.feed_max_len),
                             std::to_string(options_.retry.result_ttl_ms)});
    argv.insert(argv.end(), args.begin(), args.end());
    for (int attempt = 0;; ++attempt) {
      CT_ASSIGN_OR_RETURN(RedisReplyPtr reply, Run(argv));
      if (reply->type != REDIS_REPLY_ERROR) return reply;
      if (attempt == 0 && ReplyStr(*reply).rfind("NOSCRIPT", 0) == 0) {
        CT_ASSIGN_OR_RETURN(RedisReplyPtr loaded, Run({"SCRIPT", "LOAD", script.source}));
        CT_RETURN_IF_ERROR(RedisReplyError(*loaded, "SCRIPT LOAD"));
        continue;
      }
      return ScriptError(*reply, "redis queue script");
    }
  }

  // Runs a batch script until it reports fewer than `batch` items; returns the total.
  Result<int> EvalCountLoop(const Script& script, const std::vector<std::string>& args,
                            int batch) {
    int total = 0;
    while (true) {
      CT_ASSIGN_OR_RETURN(RedisReplyPtr reply, Eval(script, clock_.NowMillis(), args));
      total += static_cast<int>(reply->integer);
      if (reply->integer < batch) return total;
    }
  }

  double Uniform01() {
    std::lock_guard lock(rng_mu_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }

  const RedisQueueOptions options_;
  const Clock& clock_;
  const Scripts scripts_;
  RedisPool pool_;
  std::atomic<bool> verified_{false};
  std::mutex verify_mu_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;  // guarded by rng_mu_
};

}  // namespace

Result<std::unique_ptr<JobQueue>> OpenRedisJobQueue(const std::string& redis_url,
                                                    const RedisQueueOptions& options,
                                                    const Clock& clock) {
  CT_ASSIGN_OR_RETURN(RedisEndpoint endpoint, ParseRedisUrl(redis_url));
  if (options.key_prefix.empty()) {
    return Status::InvalidArgument("redis queue key prefix must not be empty");
  }
  auto queue = std::make_unique<RedisJobQueue>(std::move(endpoint), options, clock);
  const Status verified = queue->Verify();
  if (!verified.ok() && !(options.connect_lazily && verified.transient())) {
    return verified.WithContext("opening the redis job queue");
  }
  return std::unique_ptr<JobQueue>(std::move(queue));
}

}  // namespace ct
