#include "jobs/worker.h"

#include <unistd.h>

#include <algorithm>
#include <spdlog/spdlog.h>

namespace ct {
namespace {

std::string DefaultWorkerId() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

}  // namespace

Status ValidateWorkerOptions(const WorkerOptions& o) {
  if (o.concurrency < 1 || o.concurrency > 256) {
    return Status::InvalidArgument("worker concurrency must be between 1 and 256");
  }
  if (o.lease_ms < 100) return Status::InvalidArgument("worker lease_ms must be >= 100");
  if (o.heartbeat_ms < 10 || o.heartbeat_ms * 2 > o.lease_ms) {
    return Status::InvalidArgument("worker heartbeat_ms must be >= 10 and at most lease_ms / 2");
  }
  if (o.job_timeout_s < 1) return Status::InvalidArgument("job timeout must be >= 1 s");
  if (o.kill_grace_ms < 0 || o.drain_grace_ms < 0) {
    return Status::InvalidArgument("grace periods must be >= 0");
  }
  return Status::Ok();
}

Worker::Worker(JobQueue& queue, const JobRegistry& registry, WorkerOptions options,
               const Clock& clock)
    : queue_(queue),
      registry_(registry),
      options_(std::move(options)),
      clock_(clock),
      runner_(registry, RunnerOptions{options_.binary, options_.child_args,
                                      options_.memory_limit_bytes, options_.kill_grace_ms},
              clock) {
  if (options_.id.empty()) options_.id = DefaultWorkerId();
  types_ = options_.types.empty() ? registry_.Types() : options_.types;
}

Worker::~Worker() { Stop(); }

Status Worker::Start() {
  CT_RETURN_IF_ERROR(ValidateWorkerOptions(options_));
  std::lock_guard lock(mu_);
  if (started_) return Status::FailedPrecondition("worker already started");
  started_ = true;
  started_at_ = clock_.NowMillis();
  claim_thread_ = std::thread([this] { ClaimLoop(); });
  heartbeat_thread_ = std::thread([this] { HeartbeatLoop(); });
  spdlog::info("worker {} started: concurrency {}, types {}", options_.id, options_.concurrency,
               types_.size());
  return Status::Ok();
}

void Worker::Stop() {
  std::call_once(stop_once_, [this] {
    {
      std::lock_guard lock(mu_);
      if (!started_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    claim_thread_.join();
    {
      std::unique_lock lock(mu_);
      auto all_done = [this] {
        return reserved_ == 0 && std::all_of(attempts_.begin(), attempts_.end(),
                                             [](const auto& kv) { return kv.second->done; });
      };
      if (!all_done()) {
        spdlog::info("worker {} draining {} running job(s) for up to {} ms", options_.id,
                     attempts_.size(), options_.drain_grace_ms);
      }
      if (!cv_.wait_for(lock, std::chrono::milliseconds(options_.drain_grace_ms), all_done)) {
        abandon_writes_ = true;  // outcome writes still waiting for the queue give up
        cv_.notify_all();
        for (auto& [key, a] : attempts_) {
          if (!a->done) {
            spdlog::warn("worker {}: job {} still running after the drain grace: stopping it",
                         options_.id, a->lease.job_id);
            a->control.Request(StopReason::kShutdown);
          }
        }
      }
      // Stopped or not, every attempt ends through its runner thread.
      cv_.wait(lock, all_done);
      attempts_.clear();
      stop_runners_ = true;
    }
    run_cv_.notify_all();
    for (std::thread& t : runners_) t.join();
    {
      std::lock_guard lock(mu_);
      stop_heartbeat_ = true;
    }
    cv_.notify_all();
    heartbeat_thread_.join();
    if (Status s = queue_.RemoveWorker(options_.id); !s.ok()) {
      spdlog::warn("worker {}: RemoveWorker: {}", options_.id, s.ToString());
    }
    spdlog::info("worker {} stopped", options_.id);
  });
}

int Worker::BusySlots() const {
  return reserved_ +
         static_cast<int>(std::count_if(attempts_.begin(), attempts_.end(), [](const auto& kv) {
           return !kv.second->done && !kv.second->recording;
         }));
}

int Worker::running() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count_if(attempts_.begin(), attempts_.end(),
                                        [](const auto& kv) { return !kv.second->done; }));
}

std::int64_t Worker::finished() const {
  std::lock_guard lock(mu_);
  return finished_;
}

// Counted in idle_runners_ from its creation, except while it runs an attempt.
void Worker::RunnerLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    run_cv_.wait(lock, [this] { return stop_runners_ || !to_run_.empty(); });
    --idle_runners_;
    if (to_run_.empty()) return;  // stop_runners_, nothing left to run
    Attempt* a = to_run_.front();
    to_run_.pop_front();
    lock.unlock();
    while (a != nullptr) a = RunAttempt(a);
    lock.lock();
    ++idle_runners_;
  }
}

void Worker::ClaimLoop() {
  std::int64_t last_rescue_us = 0;
  while (true) {
    // Also while every slot is busy (runners then claim their next jobs themselves).
    const std::int64_t now_us = clock_.MonotonicMicros();
    if (now_us - last_rescue_us >= options_.rescue_interval_ms * 1000) {
      last_rescue_us = now_us;
      auto rescued = queue_.RescueExpired();
      if (!rescued.ok()) {
        spdlog::warn("worker {}: RescueExpired: {}", options_.id, rescued.status().ToString());
      } else if (*rescued > 0) {
        spdlog::warn("worker {}: rescued {} job(s) whose lease expired", options_.id, *rescued);
      }
    }
    int free_slots;
    {
      std::unique_lock lock(mu_);
      if (stopping_) break;
      free_slots = options_.concurrency - BusySlots();
      if (free_slots <= 0) {
        // All slots busy: wait until one frees (a runner found no next job, or an outcome is
        // still being written: seen at the latest at the next period) or Stop.
        cv_.wait_for(lock, std::chrono::milliseconds(200), [this] {
          return stopping_ || BusySlots() < options_.concurrency;
        });
        continue;
      }
    }
    auto leases = queue_.Claim(options_.id, free_slots, types_, options_.lease_ms);
    if (!leases.ok()) {
      spdlog::warn("worker {}: claim failed: {}", options_.id, leases.status().ToString());
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
      continue;
    }
    if (leases->empty()) {
      if (Status s = queue_.WaitForWork(options_.idle_wait_ms); !s.ok()) {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(options_.idle_wait_ms),
                     [this] { return stopping_; });
      }
      continue;
    }
    std::lock_guard lock(mu_);
    for (Lease& lease : *leases) {
      to_run_.push_back(Register(std::move(lease)));
      // Every runner busy (running, or writing an outcome to a slow queue): one more.
      if (static_cast<int>(to_run_.size()) > idle_runners_) {
        ++idle_runners_;
        runners_.emplace_back([this] { RunnerLoop(); });
      }
    }
    run_cv_.notify_all();
  }
}

Worker::Attempt* Worker::Register(Lease lease) {
  auto a = std::make_shared<Attempt>();
  const int job_timeout = lease.job.timeout_s > 0 ? lease.job.timeout_s : options_.job_timeout_s;
  a->timeout_s = std::min(job_timeout, options_.job_timeout_s);
  a->deadline_us = clock_.MonotonicMicros() + std::int64_t{a->timeout_s} * 1'000'000;
  a->lease = std::move(lease);
  spdlog::info("worker {}: job {} ({}) claimed, attempt {}", options_.id, a->lease.job_id,
               a->lease.job.type, a->lease.job.attempts);
  // Keyed by attempt: a job can be requeued and claimed again while an older attempt of it is
  // still recording its outcome.
  a->key = a->lease.job_id + "#" + std::to_string(a->lease.token);
  // Claimed after Stop's drain grace ran out (a runner's claim in flight): stop it at once.
  if (abandon_writes_) a->control.Request(StopReason::kShutdown);
  attempts_[a->key] = a;
  return a.get();
}

Worker::Attempt* Worker::ClaimNext() {
  auto leases = queue_.Claim(options_.id, 1, types_, options_.lease_ms);
  if (!leases.ok()) {
    spdlog::debug("worker {}: claim failed: {}", options_.id, leases.status().ToString());
  }
  Attempt* next = nullptr;
  {
    std::lock_guard lock(mu_);
    --reserved_;
    // Even when stopping: a claimed job is run (or stopped by the drain) like any other.
    if (leases.ok() && !leases->empty()) next = Register(std::move(leases->front()));
  }
  if (next == nullptr) cv_.notify_all();  // the slot is free: the claim loop takes over
  return next;
}

Worker::Attempt* Worker::RunAttempt(Attempt* a) {
  std::mutex progress_mu;
  std::optional<JobProgress> pending;
  std::int64_t last_sent_us = 0;
  auto send = [&](const JobProgress& p) {
    Status s = queue_.ReportProgress(a->lease, p);
    if (!s.ok()) spdlog::debug("job {}: progress not recorded: {}", a->lease.job_id, s.ToString());
  };
  auto on_progress = [&](const JobProgress& p) {
    std::lock_guard lock(progress_mu);
    const std::int64_t now = clock_.MonotonicMicros();
    if (now - last_sent_us >= options_.progress_interval_ms * 1000) {
      last_sent_us = now;
      pending.reset();
      send(p);
    } else {
      pending = p;  // the latest wins; sent at the next report or at the end
    }
  };
  AttemptOutcome outcome = runner_.Run(a->lease.job, a->timeout_s, a->control, on_progress);
  {
    std::lock_guard lock(progress_mu);
    if (pending && outcome.kind != AttemptOutcome::Kind::kAbandoned) send(*pending);
  }
  {
    // The handler is done: its slot is free for another job while the outcome is written (which
    // may take a while if the job's backend is unreachable; its lease is still renewed). No
    // wake-up here: the claim loop sees it at its next period, and usually this runner claims
    // the slot's next job itself as soon as the outcome is written.
    std::lock_guard lock(mu_);
    a->recording = true;
  }
  Finish(*a, outcome);
  bool claim_next;
  {
    std::lock_guard lock(mu_);
    a->done = true;
    ++finished_;
    const std::string key = a->key;
    attempts_.erase(key);  // `a` may be gone from here on
    claim_next = !stopping_ && BusySlots() < options_.concurrency;
    if (claim_next) ++reserved_;
  }
  if (!claim_next) {
    cv_.notify_all();
    return nullptr;
  }
  return ClaimNext();
}

// An outcome is written until the queue takes it or refuses it for good: while the backend is
// unreachable (a Redis outage, a busy database) the attempt keeps its slot and the heartbeat
// thread keeps presenting its lease, so when the backend answers again the job is completed
// once instead of expiring and running a second time. Only Stop, after the drain grace, gives
// up: the lease then expires and the job runs again (at least once delivery, the safe side).
template <typename F>
Status Worker::WriteOutcome(const std::string& job_id, F&& write) {
  std::int64_t backoff_ms = 100;
  for (int attempt = 1;; ++attempt) {
    Status s = write();
    if (s.ok() || s.code() == StatusCode::kAborted || !s.transient()) return s;
    if (attempt == 1 || attempt % 20 == 0) {
      spdlog::warn("worker {}: job {}: recording the outcome failed ({}); retrying until the "
                   "queue answers",
                   options_.id, job_id, s.ToString());
    }
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, std::chrono::milliseconds(backoff_ms),
                     [this] { return abandon_writes_; })) {
      return s;
    }
    backoff_ms = std::min<std::int64_t>(backoff_ms * 2, 2000);
  }
}

void Worker::Finish(const Attempt& a, const AttemptOutcome& outcome) {
  const std::string& id = a.lease.job_id;
  Status s;
  switch (outcome.kind) {
    case AttemptOutcome::Kind::kAbandoned:
      spdlog::warn("worker {}: job {}: lease lost (rescued elsewhere); attempt abandoned",
                   options_.id, id);
      return;
    case AttemptOutcome::Kind::kSucceeded:
      s = WriteOutcome(id, [&] { return queue_.Complete(a.lease, outcome.result_json); });
      if (s.ok()) spdlog::info("worker {}: job {} succeeded", options_.id, id);
      break;
    case AttemptOutcome::Kind::kFailed:
      s = WriteOutcome(id, [&] { return queue_.Fail(a.lease, outcome.failure); });
      if (s.ok()) {
        spdlog::warn("worker {}: job {} failed ({}): {}", options_.id, id,
                     FailureKindName(outcome.failure.kind), outcome.failure.message);
      }
      break;
  }
  if (s.code() == StatusCode::kAborted) {
    // Fencing at work: the job was rescued and re-claimed meanwhile; its successor owns it.
    spdlog::warn("worker {}: job {}: late write refused ({}); not retried", options_.id, id,
                 s.message());
  } else if (!s.ok()) {
    spdlog::error("worker {}: job {}: could not record the outcome ({}); the lease will expire "
                  "and the job run again",
                  options_.id, id, s.ToString());
  }
}

WorkerInfo Worker::Info() const {
  WorkerInfo info;
  info.id = options_.id;
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  info.host = host;
  info.pid = getpid();
  info.concurrency = options_.concurrency;
  info.started_at = started_at_;
  info.heartbeat_at = clock_.NowMillis();
  std::lock_guard lock(mu_);
  for (const auto& [key, a] : attempts_) {
    if (!a->done) info.current_jobs.push_back(a->lease.job_id);
  }
  return info;
}

void Worker::HeartbeatLoop() {
  while (true) {
    std::vector<std::shared_ptr<Attempt>> running;
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, std::chrono::milliseconds(options_.heartbeat_ms),
                       [this] { return stop_heartbeat_; })) {
        break;
      }
      for (const auto& [id, a] : attempts_) {
        if (!a->done) running.push_back(a);
      }
    }
    const std::int64_t now_us = clock_.MonotonicMicros();
    for (const auto& a : running) {
      auto reply = queue_.Heartbeat(a->lease, options_.lease_ms);
      if (reply.ok()) {
        if (a->heartbeat_failures > 0) {
          spdlog::info("worker {}: job {}: heartbeat recorded again after {} failure(s)",
                       options_.id, a->lease.job_id, a->heartbeat_failures);
          a->heartbeat_failures = 0;
        }
        if (reply->cancel_requested && a->control.reason() == StopReason::kNone) {
          spdlog::info("worker {}: job {} cancel requested: stopping it", options_.id,
                       a->lease.job_id);
          a->control.Request(StopReason::kCancelled);
        }
      } else if (reply.status().code() == StatusCode::kAborted) {
        bool recording;
        {
          std::lock_guard lock(mu_);
          recording = a->recording;
        }
        // The attempt's outcome raced this heartbeat: its own Complete/Fail ended the lease.
        if (recording) continue;
        spdlog::warn("worker {}: job {}: heartbeat refused ({}): stopping the attempt",
                     options_.id, a->lease.job_id, reply.status().message());
        a->control.Request(StopReason::kLeaseLost);
      } else if (a->heartbeat_failures++ % 30 == 0) {
        // Once, then every 30th: an outage of the queue fails every heartbeat of every attempt.
        spdlog::warn("worker {}: job {}: heartbeat failed ({} in a row): {}", options_.id,
                     a->lease.job_id, a->heartbeat_failures, reply.status().ToString());
      }
      // Isolated runs check their deadline themselves; this also stops inline handlers.
      if (now_us >= a->deadline_us) a->control.Request(StopReason::kDeadline);
    }
    if (Status s = queue_.ReportWorker(Info()); !s.ok()) {
      spdlog::warn("worker {}: ReportWorker: {}", options_.id, s.ToString());
    }
  }
}

}  // namespace ct
