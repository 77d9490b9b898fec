#include "queue/job_queue_conformance.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <set>
#include <thread>

namespace ct {
namespace {

using ::testing::ElementsAre;

constexpr std::int64_t kLease = 30'000;
constexpr std::int64_t kDay = 24LL * 3600 * 1000;

EnqueueRequest Req(const std::string& type, int priority = kDefaultPriority) {
  EnqueueRequest r;
  r.type = type;
  r.priority = priority;
  return r;
}

JobFailure Failure(FailureKind kind, std::string message = "boom") {
  JobFailure f;
  f.kind = kind;
  f.message = std::move(message);
  return f;
}

std::int64_t CountOf(const QueueCounts& counts, const std::string& state) {
  for (const auto& [name, n] : counts.by_state)
    if (name == state) return n;
  return -1;
}

}  // namespace

std::string JobQueueBackendName(const ::testing::TestParamInfo<JobQueueBackend>& info) {
  return info.param.name;
}

void PrintTo(const JobQueueBackend& backend, std::ostream* os) { *os << backend.name; }

void JobQueueConformanceTest::SetUp() {
  queue_ = GetParam().open(clock_);
  ASSERT_NE(queue_, nullptr) << "backend " << GetParam().name << " failed to open";
}

void JobQueueConformanceTest::TearDown() { queue_.reset(); }

Job JobQueueConformanceTest::Enqueue(const EnqueueRequest& request) {
  auto r = queue_->Enqueue(request);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return Job{};
  EXPECT_FALSE(r->duplicate);
  return r->job;
}

Job JobQueueConformanceTest::Enqueue(const std::string& type, int priority,
                                     std::optional<UnixMillis> run_at) {
  EnqueueRequest r = Req(type, priority);
  r.run_at = run_at;
  return Enqueue(r);
}

Lease JobQueueConformanceTest::ClaimOne(const std::string& worker, std::vector<std::string> types,
                                        std::int64_t lease_ms) {
  auto r = queue_->Claim(worker, 1, types, lease_ms);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return Lease{};
  EXPECT_EQ(r->size(), 1u);
  if (r->size() != 1) return Lease{};
  return (*r)[0];
}

Job JobQueueConformanceTest::GetJob(const std::string& id) {
  auto r = queue_->Get(id);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Job{};
}

std::vector<std::string> JobQueueConformanceTest::EventKinds(const std::string& id) {
  auto r = queue_->Events(id);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> kinds;
  if (r.ok())
    for (const auto& e : *r) kinds.push_back(e.kind);
  return kinds;
}

// --- enqueue ---

TEST_P(JobQueueConformanceTest, EnqueueValidatesRequests) {
  auto bad = [&](EnqueueRequest r, const std::string& why) {
    auto res = queue().Enqueue(r);
    EXPECT_EQ(res.status().code(), StatusCode::kInvalidArgument) << why;
  };
  bad(Req(""), "empty type");
  bad(Req("t", -1), "priority -1");
  bad(Req("t", 11), "priority 11");
  EnqueueRequest r = Req("t");
  r.max_attempts = 0;
  bad(r, "max_attempts 0");
  r = Req("t");
  r.max_crashes = 0;
  bad(r, "max_crashes 0");
  r = Req("t");
  r.timeout_s = 0;
  bad(r, "timeout 0");
  for (const char* payload : {"[1,2]", "not json", "", "42", "{\"a\":"}) {
    r = Req("t");
    r.payload_json = payload;
    bad(r, std::string("payload ") + payload);
  }
  auto counts = queue().Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(CountOf(*counts, "queued"), 0) << "a refused enqueue must add nothing";
}

TEST_P(JobQueueConformanceTest, EnqueueStoresEveryField) {
  EnqueueRequest r;
  r.type = "scrape";
  r.queue = "scrapers";
  r.payload_json = R"({"source":"reddit","query":"ovh"})";
  r.priority = 7;
  r.max_attempts = 4;
  r.max_crashes = 2;
  r.timeout_s = 120;
  r.unique_key = "scrape:reddit:ovh";
  Job job = Enqueue(r);
  EXPECT_EQ(job.id.size(), 26u);
  EXPECT_EQ(job.type, "scrape");
  EXPECT_EQ(job.queue, "scrapers");
  EXPECT_EQ(job.payload_json, r.payload_json);
  EXPECT_EQ(job.priority, 7);
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_EQ(job.unique_key, "scrape:reddit:ovh");
  EXPECT_EQ(job.attempts, 0);
  EXPECT_EQ(job.errors, 0);
  EXPECT_EQ(job.crashes, 0);
  EXPECT_EQ(job.max_attempts, 4);
  EXPECT_EQ(job.max_crashes, 2);
  EXPECT_EQ(job.timeout_s, 120);
  EXPECT_EQ(job.created_at, now());
  EXPECT_EQ(job.run_at, now());
  EXPECT_FALSE(job.started_at.has_value());
  EXPECT_FALSE(job.finished_at.has_value());
  EXPECT_FALSE(job.cancel_requested);
  EXPECT_EQ(GetJob(job.id), job);
  EXPECT_THAT(EventKinds(job.id), ElementsAre("enqueued"));
}

TEST_P(JobQueueConformanceTest, GetUnknownIsNotFound) {
  EXPECT_EQ(queue().Get("01ARZ3NDEKTSV4RRFFQ69G5FAV").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(queue().Events("01ARZ3NDEKTSV4RRFFQ69G5FAV").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(queue().Cancel("01ARZ3NDEKTSV4RRFFQ69G5FAV").status().code(),
            StatusCode::kNotFound);
}

TEST_P(JobQueueConformanceTest, FutureRunAtIsScheduledUntilDue) {
  Job later = Enqueue("t", kDefaultPriority, now() + 60'000);
  EXPECT_EQ(later.state, JobState::kScheduled);
  EXPECT_EQ(later.run_at, now() + 60'000);
  Job past = Enqueue("t", kDefaultPriority, now() - 1'000);
  EXPECT_EQ(past.state, JobState::kQueued);

  Lease first = ClaimOne();
  EXPECT_EQ(first.job_id, past.id);
  auto none = queue().Claim("w1", 5, {}, kLease);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty()) << "a scheduled job must not run before run_at";

  clock_.AdvanceSeconds(59);
  none = queue().Claim("w1", 5, {}, kLease);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  clock_.AdvanceSeconds(1);
  Lease due = ClaimOne();
  EXPECT_EQ(due.job_id, later.id);
  EXPECT_EQ(due.job.state, JobState::kRunning);
}

// --- claim ---

TEST_P(JobQueueConformanceTest, ClaimOrderIsPriorityThenRunAtThenId) {
  const UnixMillis t0 = now();
  Job s1 = Enqueue("t", 5, t0 + 2'000);
  Job s2 = Enqueue("t", 5, t0 + 1'000);
  Job q = Enqueue("t", 5);
  Job low = Enqueue("t", 0);
  Job high = Enqueue("t", 9);
  clock_.AdvanceSeconds(3);
  std::vector<std::string> same;  // equal priority and run_at: id order
  for (int i = 0; i < 4; ++i) same.push_back(Enqueue("t", 2).id);
  std::sort(same.begin(), same.end());

  std::vector<std::string> expected = {high.id, q.id, s2.id, s1.id};
  expected.insert(expected.end(), same.begin(), same.end());
  expected.push_back(low.id);

  std::vector<std::string> got;
  auto three = queue().Claim("w1", 3, {}, kLease);
  ASSERT_TRUE(three.ok()) << three.status().ToString();
  ASSERT_EQ(three->size(), 3u);
  std::vector<std::string> first3;
  for (const auto& l : *three) first3.push_back(l.job_id);
  std::sort(first3.begin(), first3.end());
  std::vector<std::string> want3(expected.begin(), expected.begin() + 3);
  std::sort(want3.begin(), want3.end());
  EXPECT_EQ(first3, want3) << "a multi-claim takes the first jobs in order";
  for (std::size_t i = 3; i < expected.size(); ++i) got.push_back(ClaimOne().job_id);
  EXPECT_EQ(got, std::vector<std::string>(expected.begin() + 3, expected.end()));
  auto none = queue().Claim("w1", 10, {}, kLease);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(JobQueueConformanceTest, ClaimFiltersByType) {
  Job a = Enqueue("a", 9);
  Job b = Enqueue("b", 1);
  Job c = Enqueue("c", 1);
  std::vector<std::string> only_b = {"b"};
  auto r = queue().Claim("w1", 10, only_b, kLease);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].job_id, b.id);
  std::vector<std::string> c_or_a = {"c", "a"};
  r = queue().Claim("w1", 10, c_or_a, kLease);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  std::set<std::string> ids = {(*r)[0].job_id, (*r)[1].job_id};
  EXPECT_EQ(ids, (std::set<std::string>{a.id, c.id}));
}

TEST_P(JobQueueConformanceTest, ClaimValidatesArguments) {
  Enqueue("t");
  EXPECT_EQ(queue().Claim("w1", 0, {}, kLease).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queue().Claim("w1", 1, {}, 0).status().code(), StatusCode::kInvalidArgument);
  ClaimOne();  // still there
}

TEST_P(JobQueueConformanceTest, ClaimTakesALease) {
  Job job = Enqueue("t");
  clock_.AdvanceSeconds(2);
  Lease lease = ClaimOne("host:1:0", {}, 12'000);
  EXPECT_EQ(lease.job_id, job.id);
  EXPECT_GT(lease.token, 0);
  EXPECT_EQ(lease.job.state, JobState::kRunning);
  EXPECT_EQ(lease.job.worker_id, "host:1:0");
  EXPECT_EQ(lease.job.attempts, 1);
  EXPECT_EQ(lease.job.lease_token, lease.token);
  EXPECT_EQ(lease.job.started_at, now());
  EXPECT_EQ(lease.job.heartbeat_at, now());
  EXPECT_EQ(lease.job.lease_expires_at, now() + 12'000);
  EXPECT_EQ(GetJob(job.id), lease.job);
  EXPECT_THAT(EventKinds(job.id), ElementsAre("enqueued", "claimed"));
}

TEST_P(JobQueueConformanceTest, ConcurrentClaimersNeverTakeAJobTwice) {
  constexpr int kJobs = 300;
  constexpr int kThreads = 8;
  std::set<std::string> enqueued;
  for (int i = 0; i < kJobs; ++i) enqueued.insert(Enqueue("test.noop", i % 11).id);

  std::vector<std::vector<std::string>> claimed(kThreads);
  std::atomic<int> errors{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      const std::string worker = "w" + std::to_string(t);
      int empty_in_a_row = 0;
      // Transient errors (busy database) are retried; a claim that finds nothing ends the loop
      // (every job was enqueued before the threads started).
      while (empty_in_a_row < 2) {
        auto r = queue().Claim(worker, 1 + t % 3, {}, kLease);
        if (!r.ok()) {
          if (!r.status().transient()) {
            ++errors;
            return;
          }
          continue;
        }
        empty_in_a_row = r->empty() ? empty_in_a_row + 1 : 0;
        for (const Lease& l : *r) {
          claimed[t].push_back(l.job_id);
          Status s = queue().Complete(l, "{}");
          while (!s.ok() && s.transient() && s.code() != StatusCode::kAborted)
            s = queue().Complete(l, "{}");
          if (!s.ok()) ++errors;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  std::multiset<std::string> all;
  for (const auto& v : claimed) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kJobs)) << "each job claimed exactly once";
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), enqueued);
  auto counts = queue().Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(CountOf(*counts, "succeeded"), kJobs);
}

// --- leases, fencing, rescue ---

TEST_P(JobQueueConformanceTest, StaleTokenIsRefusedAndChangesNothing) {
  Job job = Enqueue("t");
  Lease old_lease = ClaimOne("w1", {}, 1'000);
  clock_.AdvanceSeconds(2);
  auto rescued = queue().RescueExpired();
  ASSERT_TRUE(rescued.ok()) << rescued.status().ToString();
  EXPECT_EQ(*rescued, 1);
  Lease fresh = ClaimOne("w2");
  EXPECT_GT(fresh.token, old_lease.token);
  const Job before = GetJob(job.id);

  auto hb = queue().Heartbeat(old_lease, kLease);
  EXPECT_EQ(hb.status().code(), StatusCode::kAborted);
  EXPECT_EQ(queue().ReportProgress(old_lease, {1, 2, "zombie"}).code(), StatusCode::kAborted);
  EXPECT_EQ(queue().Complete(old_lease, R"({"zombie":true})").code(), StatusCode::kAborted);
  EXPECT_EQ(queue().Fail(old_lease, Failure(FailureKind::kPermanent)).code(),
            StatusCode::kAborted);
  EXPECT_EQ(GetJob(job.id), before) << "a refused write must change nothing";

  ASSERT_TRUE(queue().Complete(fresh, R"({"ok":1})").ok());
  EXPECT_EQ(GetJob(job.id).result_json, R"({"ok":1})");
  // A finished job refuses even its last token.
  EXPECT_EQ(queue().Heartbeat(fresh, kLease).status().code(), StatusCode::kAborted);
  EXPECT_EQ(queue().Complete(fresh, "{}").code(), StatusCode::kAborted);

  Lease unknown = fresh;
  unknown.job_id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  EXPECT_EQ(queue().Heartbeat(unknown, kLease).status().code(), StatusCode::kNotFound);
}

TEST_P(JobQueueConformanceTest, HeartbeatExtendsTheLease) {
  Job job = Enqueue("t");
  Lease lease = ClaimOne("w1", {}, 10'000);
  clock_.AdvanceSeconds(8);
  auto hb = queue().Heartbeat(lease, 10'000);
  ASSERT_TRUE(hb.ok()) << hb.status().ToString();
  EXPECT_FALSE(hb->cancel_requested);
  Job j = GetJob(job.id);
  EXPECT_EQ(j.heartbeat_at, now());
  EXPECT_EQ(j.lease_expires_at, now() + 10'000);
  clock_.AdvanceSeconds(8);  // 16 s after the claim: past the first lease, within the second
  auto n = queue().RescueExpired();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(GetJob(job.id).state, JobState::kRunning);
  clock_.AdvanceSeconds(3);
  n = queue().RescueExpired();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  Job after = GetJob(job.id);
  EXPECT_EQ(after.state, JobState::kQueued);
  EXPECT_EQ(after.crashes, 1);
  EXPECT_EQ(after.errors, 0);
  EXPECT_EQ(after.run_at, now());
  EXPECT_EQ(after.last_failure, FailureKind::kCrash);
  EXPECT_THAT(EventKinds(job.id), ElementsAre("enqueued", "claimed", "rescued"));
}

TEST_P(JobQueueConformanceTest, CrashBudgetIsSeparateFromAttempts) {
  EnqueueRequest r = Req("t");
  r.max_crashes = 2;
  r.max_attempts = 1;
  Job job = Enqueue(r);
  ClaimOne("w1", {}, 1'000);
  clock_.AdvanceSeconds(2);
  ASSERT_TRUE(queue().RescueExpired().ok());
  Job once = GetJob(job.id);
  EXPECT_EQ(once.state, JobState::kQueued) << "a crash does not spend max_attempts";
  EXPECT_EQ(once.crashes, 1);

  Lease second = ClaimOne();
  JobFailure killed = Failure(FailureKind::kCrash, "killed by SIGKILL (OOM)");
  killed.exit_signal = 9;
  ASSERT_TRUE(queue().Fail(second, killed).ok());
  Job dead = GetJob(job.id);
  EXPECT_EQ(dead.state, JobState::kDead);
  EXPECT_EQ(dead.crashes, 2);
  EXPECT_EQ(dead.errors, 0);
  EXPECT_EQ(dead.attempts, 2);
  EXPECT_EQ(dead.exit_signal, 9);
  EXPECT_EQ(dead.last_failure, FailureKind::kCrash);
  EXPECT_NE(dead.last_error.find("SIGKILL"), std::string::npos) << dead.last_error;
  EXPECT_EQ(dead.finished_at, now());
  EXPECT_THAT(EventKinds(job.id),
              ElementsAre("enqueued", "claimed", "rescued", "claimed", "dead"));
}

TEST_P(JobQueueConformanceTest, ReleaseWorkerRequeuesItsJobsAtOnce) {
  Job a = Enqueue("t");
  Job b = Enqueue("t");
  Job c = Enqueue("t");
  auto w1 = queue().Claim("w1", 2, {}, kLease);
  ASSERT_TRUE(w1.ok());
  ASSERT_EQ(w1->size(), 2u);
  Lease w2 = ClaimOne("w2");
  auto n = queue().ReleaseWorker("w1", "worker exited with signal 9");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(GetJob(w2.job_id).state, JobState::kRunning);
  // Without any clock movement, both are claimable again.
  auto again = queue().Claim("w3", 5, {}, kLease);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 2u);
  for (const Lease& l : *again) {
    EXPECT_EQ(l.job.crashes, 1);
    EXPECT_NE(l.job_id, w2.job_id);
  }
  n = queue().ReleaseWorker("nobody", "x");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  (void)a;
  (void)b;
  (void)c;
}

// --- failures and retries ---

TEST_P(JobQueueConformanceTest, TransientFailuresRetryWithBackoffThenDie) {
  EnqueueRequest r = Req("t");
  r.max_attempts = 3;
  Job job = Enqueue(r);

  Lease l1 = ClaimOne();
  ASSERT_TRUE(queue().Fail(l1, Failure(FailureKind::kTransient, "HTTP 503")).ok());
  Job j = GetJob(job.id);
  EXPECT_EQ(j.state, JobState::kRetrying);
  EXPECT_EQ(j.errors, 1);
  EXPECT_EQ(j.last_error, "HTTP 503");
  EXPECT_EQ(j.last_failure, FailureKind::kTransient);
  EXPECT_GE(j.run_at, now());
  EXPECT_LE(j.run_at, now() + 1'000) << "first backoff is at most base (1 s)";
  clock_.SetMicros(j.run_at * 1000);

  Lease l2 = ClaimOne();
  JobFailure throttled = Failure(FailureKind::kTransient, "HTTP 429");
  throttled.retry_after_ms = 30'000;
  ASSERT_TRUE(queue().Fail(l2, throttled).ok());
  j = GetJob(job.id);
  EXPECT_EQ(j.state, JobState::kRetrying);
  EXPECT_EQ(j.errors, 2);
  EXPECT_EQ(j.run_at, now() + 30'000) << "Retry-After beats a shorter backoff";
  clock_.AdvanceMicros(29'999'000);
  auto none = queue().Claim("w1", 1, {}, kLease);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty()) << "claimed before Retry-After passed";
  clock_.AdvanceMicros(1'000);

  Lease l3 = ClaimOne();
  EXPECT_EQ(l3.job.attempts, 3);
  ASSERT_TRUE(queue().Fail(l3, Failure(FailureKind::kTransient, "timeout")).ok());
  j = GetJob(job.id);
  EXPECT_EQ(j.state, JobState::kDead) << "max_attempts spent";
  EXPECT_EQ(j.errors, 3);
  EXPECT_EQ(j.finished_at, now());
  EXPECT_THAT(EventKinds(job.id), ElementsAre("enqueued", "claimed", "retried", "claimed",
                                              "retried", "claimed", "dead"));
}

TEST_P(JobQueueConformanceTest, PermanentFailureIsDeadAtOnce) {
  Job job = Enqueue("t");
  Lease l = ClaimOne();
  ASSERT_TRUE(queue().Fail(l, Failure(FailureKind::kPermanent, "HTTP 404")).ok());
  Job j = GetJob(job.id);
  EXPECT_EQ(j.state, JobState::kDead);
  EXPECT_EQ(j.errors, 1);
  EXPECT_EQ(j.last_error, "HTTP 404");
  EXPECT_EQ(j.last_failure, FailureKind::kPermanent);
  EXPECT_THAT(EventKinds(job.id), ElementsAre("enqueued", "claimed", "dead"));
}

// --- cancellation ---

TEST_P(JobQueueConformanceTest, CancelWaitingJobsIsImmediate) {
  Job queued = Enqueue("t");
  Job scheduled = Enqueue("t", 5, now() + 60'000);
  Job retrying = Enqueue("u");
  Lease l = ClaimOne("w1", {"u"});
  ASSERT_TRUE(queue().Fail(l, Failure(FailureKind::kTransient)).ok());
  ASSERT_EQ(GetJob(retrying.id).state, JobState::kRetrying);

  for (const Job* j : {&queued, &scheduled, &retrying}) {
    auto c = queue().Cancel(j->id);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->state, JobState::kCancelled);
    EXPECT_EQ(c->finished_at, now());
    auto twice = queue().Cancel(j->id);
    ASSERT_TRUE(twice.ok()) << "cancel is idempotent";
    EXPECT_EQ(*twice, *c);
    EXPECT_EQ(EventKinds(j->id).back(), "cancelled");
  }
  clock_.AdvanceSeconds(3600);
  auto none = queue().Claim("w1", 10, {}, kLease);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty()) << "a cancelled job must never be claimed";
}

TEST_P(JobQueueConformanceTest, CancelRunningJobIsSeenOnHeartbeat) {
  Job job = Enqueue("t");
  Lease l = ClaimOne();
  auto c = queue().Cancel(job.id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->state, JobState::kCancelling);
  EXPECT_TRUE(c->cancel_requested);
  auto again = queue().Cancel(job.id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state, JobState::kCancelling);
  auto hb = queue().Heartbeat(l, kLease);
  ASSERT_TRUE(hb.ok());
  EXPECT_TRUE(hb->cancel_requested);
  // Whatever the failure kind, a cancelling job ends cancelled.
  ASSERT_TRUE(queue().Fail(l, Failure(FailureKind::kTransient, "stopped")).ok());
  Job j = GetJob(job.id);
  EXPECT_EQ(j.state, JobState::kCancelled);
  EXPECT_THAT(EventKinds(job.id),
              ElementsAre("enqueued", "claimed", "cancel_requested", "cancelled"));
}

TEST_P(JobQueueConformanceTest, CancellingJobMayStillSucceedOrBeRescued) {
  Job done = Enqueue("t");
  Lease l = ClaimOne();
  ASSERT_TRUE(queue().Cancel(done.id).ok());
  ASSERT_TRUE(queue().Complete(l, R"({"n":1})").ok());
  EXPECT_EQ(GetJob(done.id).state, JobState::kSucceeded);

  Job hung = Enqueue("t");
  ClaimOne("w1", {}, 1'000);
  ASSERT_TRUE(queue().Cancel(hung.id).ok());
  clock_.AdvanceSeconds(2);
  auto n = queue().RescueExpired();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(GetJob(hung.id).state, JobState::kCancelled) << "a cancelling job is not requeued";
}

TEST_P(JobQueueConformanceTest, CancelFinishedJobIsFailedPrecondition) {
  Job ok = Enqueue("t");
  Lease l = ClaimOne();
  ASSERT_TRUE(queue().Complete(l, "{}").ok());
  EXPECT_EQ(queue().Cancel(ok.id).status().code(), StatusCode::kFailedPrecondition);
  Job dead = Enqueue("t");
  l = ClaimOne();
  ASSERT_TRUE(queue().Fail(l, Failure(FailureKind::kPermanent)).ok());
  EXPECT_EQ(queue().Cancel(dead.id).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(GetJob(dead.id).state, JobState::kDead);
}

TEST_P(JobQueueConformanceTest, FailWithCancelledKindCancels) {
  Job job = Enqueue("t");
  Lease l = ClaimOne();
  ASSERT_TRUE(queue().Fail(l, Failure(FailureKind::kCancelled, "operator")).ok());
  EXPECT_EQ(GetJob(job.id).state, JobState::kCancelled);
}

// --- replay ---

TEST_P(JobQueueConformanceTest, RetryReplaysDeadAndCancelledJobs) {
  EnqueueRequest r = Req("t");
  r.max_attempts = 1;
  Job dead = Enqueue(r);
  Lease l = ClaimOne();
  ASSERT_TRUE(queue().Fail(l, Failure(FailureKind::kTransient)).ok());
  ASSERT_EQ(GetJob(dead.id).state, JobState::kDead);
  clock_.AdvanceSeconds(10);
  auto replay = queue().Retry(dead.id);
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  EXPECT_EQ(replay->state, JobState::kQueued);
  EXPECT_EQ(replay->errors, 0);
  EXPECT_EQ(replay->crashes, 0);
  EXPECT_EQ(replay->attempts, 1);
  EXPECT_FALSE(replay->finished_at.has_value());
  EXPECT_EQ(EventKinds(dead.id).back(), "replayed");
  Lease again = ClaimOne();
  EXPECT_EQ(again.job_id, dead.id);
  EXPECT_EQ(again.job.attempts, 2);
  EXPECT_GT(again.token, l.token);

  Job cancelled = Enqueue("t");
  ASSERT_TRUE(queue().Cancel(cancelled.id).ok());
  auto r2 = queue().Retry(cancelled.id);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->state, JobState::kQueued);
  EXPECT_FALSE(r2->cancel_requested);

  EXPECT_EQ(queue().Retry(cancelled.id).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(queue().Retry(again.job_id).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(queue().Complete(again, "{}").ok());
  EXPECT_EQ(queue().Retry(again.job_id).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(queue().Retry("01ARZ3NDEKTSV4RRFFQ69G5FAV").status().code(), StatusCode::kNotFound);
}

// --- unique keys ---

TEST_P(JobQueueConformanceTest, UniqueKeyAllowsOneActiveJob) {
  EnqueueRequest r = Req("scrape");
  r.unique_key = "scrape:hn";
  Job first = Enqueue(r);
  clock_.AdvanceMicros(1'000);  // `first` is claimed first below
  auto dup = queue().Enqueue(r);
  ASSERT_TRUE(dup.ok());
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->job.id, first.id);
  EnqueueRequest other = r;
  other.unique_key = "scrape:reddit";
  Job second = Enqueue(other);
  EXPECT_NE(second.id, first.id);

  Lease l = ClaimOne("w1", {}, kLease);
  ASSERT_EQ(l.job_id, first.id);
  dup = queue().Enqueue(r);
  ASSERT_TRUE(dup.ok());
  EXPECT_TRUE(dup->duplicate) << "a running job still holds its key";
  ASSERT_TRUE(queue().Complete(l, "{}").ok());
  Job next = Enqueue(r);
  EXPECT_NE(next.id, first.id) << "a finished job frees its key";

  // A replay must not make two active jobs with one key.
  ASSERT_TRUE(queue().Cancel(second.id).ok());
  Job holder = Enqueue(other);
  auto replay = queue().Retry(second.id);
  EXPECT_FALSE(replay.ok());
  EXPECT_TRUE(replay.status().code() == StatusCode::kAlreadyExists ||
              replay.status().code() == StatusCode::kFailedPrecondition)
      << replay.status().ToString();
  EXPECT_EQ(GetJob(second.id).state, JobState::kCancelled);
  EXPECT_EQ(GetJob(holder.id).state, JobState::kQueued);
}

TEST_P(JobQueueConformanceTest, RacingEnqueuesWithOneKeyCreateOneJob) {
  constexpr int kThreads = 8;
  std::vector<std::string> ids(kThreads);
  std::vector<int> fresh(kThreads, 0);
  std::atomic<int> errors{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      EnqueueRequest r = Req("scrape");
      r.unique_key = "race";
      start.arrive_and_wait();
      for (int attempt = 0; attempt < 50; ++attempt) {
        auto res = queue().Enqueue(r);
        if (!res.ok() && res.status().transient()) continue;
        if (!res.ok()) {
          ++errors;
          return;
        }
        ids[t] = res->job.id;
        fresh[t] = res->duplicate ? 0 : 1;
        return;
      }
      ++errors;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  int created = 0;
  for (int f : fresh) created += f;
  EXPECT_EQ(created, 1);
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
  auto counts = queue().Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(CountOf(*counts, "queued"), 1);
}

// --- progress and events ---

TEST_P(JobQueueConformanceTest, ProgressIsStoredAndThrottledInTheLog) {
  Job job = Enqueue("t");
  Lease l = ClaimOne();
  ASSERT_TRUE(queue().ReportProgress(l, {3, 10, "page 3"}).ok());
  EXPECT_EQ(GetJob(job.id).progress, (JobProgress{3, 10, "page 3"}));
  clock_.AdvanceMicros(200'000);
  ASSERT_TRUE(queue().ReportProgress(l, {4, 10, "page 4"}).ok());
  EXPECT_EQ(GetJob(job.id).progress, (JobProgress{4, 10, "page 4"}));
  clock_.AdvanceSeconds(1);
  ASSERT_TRUE(queue().ReportProgress(l, {9, 10, "page 9"}).ok());
  EXPECT_THAT(EventKinds(job.id), ElementsAre("enqueued", "claimed", "progress", "progress"));
  ASSERT_TRUE(queue().Complete(l, R"({"posts":42})").ok());
  Job done = GetJob(job.id);
  EXPECT_EQ(done.progress.done, 9);
  EXPECT_EQ(done.result_json, R"({"posts":42})");
  EXPECT_EQ(done.finished_at, now());
}

TEST_P(JobQueueConformanceTest, EventsAreOrderedPerJob) {
  Job job = Enqueue("t");
  clock_.AdvanceSeconds(1);
  Lease l = ClaimOne();
  clock_.AdvanceSeconds(1);
  ASSERT_TRUE(queue().Complete(l, "{}").ok());
  auto events = queue().Events(job.id);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  const UnixMillis t = now();
  EXPECT_EQ((*events)[0].kind, "enqueued");
  EXPECT_EQ((*events)[0].at, t - 2'000);
  EXPECT_EQ((*events)[1].kind, "claimed");
  EXPECT_EQ((*events)[1].at, t - 1'000);
  EXPECT_EQ((*events)[2].kind, "succeeded");
  EXPECT_EQ((*events)[2].at, t);
  for (const auto& e : *events) {
    EXPECT_EQ(e.job_id, job.id);
    EXPECT_FALSE(e.detail_json.empty());
    EXPECT_EQ(e.detail_json.front(), '{');
  }
}

TEST_P(JobQueueConformanceTest, EventsSinceFollowsTheGlobalFeed) {
  Enqueue("before");
  auto start = queue().EventsSince("", 100);
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  EXPECT_TRUE(start->first.empty()) << "\"\" means from now";
  EXPECT_FALSE(start->second.empty());

  Job a = Enqueue("a");
  Job b = Enqueue("b");
  Lease l = ClaimOne("w1", {"a"});
  auto page = queue().EventsSince(start->second, 100);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->first.size(), 3u);
  EXPECT_EQ(page->first[0].job_id, a.id);
  EXPECT_EQ(page->first[0].kind, "enqueued");
  EXPECT_EQ(page->first[1].job_id, b.id);
  EXPECT_EQ(page->first[2].job_id, a.id);
  EXPECT_EQ(page->first[2].kind, "claimed");
  EXPECT_EQ(page->second, page->first.back().cursor);

  auto empty = queue().EventsSince(page->second, 100);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->first.empty());
  EXPECT_EQ(empty->second, page->second) << "no events: the cursor stays";

  for (int i = 0; i < 5; ++i) Enqueue("c");
  std::string cursor = page->second;
  std::vector<std::size_t> sizes;
  std::set<std::string> seen;
  for (int i = 0; i < 4; ++i) {
    auto p = queue().EventsSince(cursor, 2);
    ASSERT_TRUE(p.ok());
    sizes.push_back(p->first.size());
    for (const auto& e : p->first) seen.insert(e.job_id);
    cursor = p->second;
  }
  EXPECT_THAT(sizes, ElementsAre(2u, 2u, 1u, 0u));
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(queue().EventsSince("not a cursor", 10).status().code(),
            StatusCode::kInvalidArgument);
  (void)l;
}

// --- listing and counts ---

TEST_P(JobQueueConformanceTest, ListPagesThroughEveryJobOnce) {
  std::vector<std::string> all;
  for (int i = 0; i < 25; ++i) {
    all.push_back(Enqueue(i % 2 == 0 ? "a" : "b").id);
    clock_.AdvanceMicros(1'000);  // distinct creation times: ids sort by creation
  }
  std::set<std::string> running;
  for (int i = 0; i < 4; ++i) running.insert(ClaimOne("w1", {"b"}).job_id);

  std::vector<std::string> listed;
  std::string cursor;
  int pages = 0;
  do {
    auto page = queue().List({}, cursor, 7);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_LE(page->items.size(), 7u);
    for (const auto& j : page->items) listed.push_back(j.id);
    cursor = page->next_cursor;
    ASSERT_LT(++pages, 10);
  } while (!cursor.empty());
  std::vector<std::string> newest_first(all.rbegin(), all.rend());
  EXPECT_EQ(listed, newest_first);

  JobFilter f;
  f.states = {JobState::kRunning};
  auto r = queue().List(f, "", 100);
  ASSERT_TRUE(r.ok());
  std::set<std::string> got;
  for (const auto& j : r->items) got.insert(j.id);
  EXPECT_EQ(got, running);
  EXPECT_TRUE(r->next_cursor.empty());

  f.states = {JobState::kQueued, JobState::kRunning};
  f.type = "b";
  listed.clear();
  cursor.clear();
  do {
    auto page = queue().List(f, cursor, 5);
    ASSERT_TRUE(page.ok());
    for (const auto& j : page->items) {
      EXPECT_EQ(j.type, "b");
      listed.push_back(j.id);
    }
    cursor = page->next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(listed.size(), 12u);
  EXPECT_TRUE(std::is_sorted(listed.rbegin(), listed.rend()));

  f.states = {JobState::kSucceeded};
  r = queue().List(f, "", 10);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->items.empty());
  EXPECT_EQ(queue().List({}, "", 0).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(JobQueueConformanceTest, CountsEveryStateAndTheOldestWait) {
  auto empty = queue().Counts();
  ASSERT_TRUE(empty.ok());
  ASSERT_EQ(empty->by_state.size(), 8u);
  for (int s = 0; s < 8; ++s) {
    EXPECT_EQ(empty->by_state[s].first, JobStateName(static_cast<JobState>(s)));
    EXPECT_EQ(empty->by_state[s].second, 0);
  }
  EXPECT_FALSE(empty->oldest_queued_age_ms.has_value());

  EnqueueRequest r = Req("t");
  r.queue = "slow";
  Enqueue(r);
  clock_.AdvanceSeconds(5);
  Enqueue("t");
  Enqueue("t");
  Enqueue("t", 5, now() + 60'000);
  Lease l = ClaimOne("w1", {}, kLease);  // takes the oldest: the "slow" one
  Lease d = ClaimOne();
  ASSERT_TRUE(queue().Fail(d, Failure(FailureKind::kPermanent)).ok());
  clock_.AdvanceSeconds(2);

  auto c = queue().Counts();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(CountOf(*c, "queued"), 1);
  EXPECT_EQ(CountOf(*c, "scheduled"), 1);
  EXPECT_EQ(CountOf(*c, "running"), 1);
  EXPECT_EQ(CountOf(*c, "dead"), 1);
  EXPECT_EQ(CountOf(*c, "succeeded"), 0);
  EXPECT_EQ(c->oldest_queued_age_ms, 2'000);
  std::map<std::string, std::int64_t> by_queue(c->by_queue.begin(), c->by_queue.end());
  EXPECT_EQ(by_queue["slow"], 1);
  EXPECT_EQ(by_queue["default"], 2);
  (void)l;
}

TEST_P(JobQueueConformanceTest, PruneDeletesFinishedJobsAfterTheirTtl) {
  Job ok = Enqueue("t");
  Lease l = ClaimOne();
  ASSERT_TRUE(queue().Complete(l, "{}").ok());
  Job dead = Enqueue("t");
  l = ClaimOne();
  ASSERT_TRUE(queue().Fail(l, Failure(FailureKind::kPermanent)).ok());
  Job waiting = Enqueue("t", 5, now() + 30 * kDay);

  clock_.AdvanceMicros(6 * kDay * 1000);
  auto n = queue().Prune();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 0);
  clock_.AdvanceMicros(2 * kDay * 1000);
  n = queue().Prune();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(queue().Get(ok.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(queue().Get(dead.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(queue().Events(ok.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(GetJob(waiting.id).state, JobState::kScheduled);
}

// --- workers ---

TEST_P(JobQueueConformanceTest, WorkerRegistryDropsStaleEntries) {
  WorkerInfo w1{"h1:10:0", "h1", 10, 4, {"J1", "J2"}, now(), now()};
  WorkerInfo w2{"h2:20:0", "h2", 20, 1, {}, now(), now()};
  ASSERT_TRUE(queue().ReportWorker(w1).ok());
  ASSERT_TRUE(queue().ReportWorker(w2).ok());
  auto ws = queue().Workers();
  ASSERT_TRUE(ws.ok()) << ws.status().ToString();
  ASSERT_EQ(ws->size(), 2u);
  std::map<std::string, WorkerInfo> by_id;
  for (const auto& w : *ws) by_id[w.id] = w;
  EXPECT_EQ(by_id[w1.id], w1);
  EXPECT_EQ(by_id[w2.id], w2);

  clock_.AdvanceSeconds(3600);
  w1.heartbeat_at = now();
  w1.current_jobs = {"J3"};
  ASSERT_TRUE(queue().ReportWorker(w1).ok());
  clock_.AdvanceSeconds(5);
  ws = queue().Workers();
  ASSERT_TRUE(ws.ok());
  ASSERT_EQ(ws->size(), 1u);
  EXPECT_EQ((*ws)[0], w1);
  ASSERT_TRUE(queue().RemoveWorker(w1.id).ok());
  ws = queue().Workers();
  ASSERT_TRUE(ws.ok());
  EXPECT_TRUE(ws->empty());
}

// --- scheduler coordination ---

TEST_P(JobQueueConformanceTest, LeadershipIsExclusiveUntilItExpires) {
  auto take = [&](const std::string& who) {
    auto r = queue().AcquireLeadership("scheduler", who, 10'000);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  };
  EXPECT_TRUE(take("A"));
  EXPECT_FALSE(take("B"));
  clock_.AdvanceSeconds(9);
  EXPECT_TRUE(take("A")) << "renewal";
  clock_.AdvanceSeconds(9);
  EXPECT_FALSE(take("B")) << "renewed lease still valid";
  clock_.AdvanceSeconds(2);
  EXPECT_TRUE(take("B")) << "expired lease is taken over";
  EXPECT_FALSE(take("A"));
  ASSERT_TRUE(queue().ReleaseLeadership("scheduler", "A").ok());
  EXPECT_FALSE(take("A")) << "only the holder releases";
  ASSERT_TRUE(queue().ReleaseLeadership("scheduler", "B").ok());
  EXPECT_TRUE(take("A"));
  auto other = queue().AcquireLeadership("rescuer", "B", 10'000);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(*other) << "names are independent";
}

TEST_P(JobQueueConformanceTest, RecordFiringIsTrueOnce) {
  auto fire = [&](const std::string& s, UnixMillis t) {
    auto r = queue().RecordFiring(s, t, kDay);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  };
  const UnixMillis tick = 1'700'000'000'000;
  EXPECT_TRUE(fire("auto-scrape", tick));
  EXPECT_FALSE(fire("auto-scrape", tick));
  clock_.AdvanceSeconds(3600);
  EXPECT_FALSE(fire("auto-scrape", tick));
  EXPECT_TRUE(fire("auto-scrape", tick + 3'600'000));
  EXPECT_TRUE(fire("backup", tick));
}

// --- wake-ups ---

TEST_P(JobQueueConformanceTest, WaitForWorkTimesOutWhenIdle) {
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(queue().WaitForWork(100).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST_P(JobQueueConformanceTest, WaitForWorkWakesOnEnqueueFromElsewhere) {
  std::unique_ptr<JobQueue> peer;
  if (GetParam().open_peer) {
    peer = GetParam().open_peer(clock_);
    ASSERT_NE(peer, nullptr);
  }
  JobQueue& producer = peer ? *peer : queue();
  // Drain any wake-up owed to earlier activity so the wait below really waits for ours.
  ASSERT_TRUE(queue().WaitForWork(1).ok());

  std::mutex mu;
  std::condition_variable cv;
  bool waiting = false;
  Status wait_status = Status::Internal("not run");
  std::chrono::steady_clock::duration waited{};
  std::thread waiter([&] {
    {
      std::lock_guard<std::mutex> lock(mu);
      waiting = true;
    }
    cv.notify_all();
    const auto t0 = std::chrono::steady_clock::now();
    wait_status = queue().WaitForWork(60'000);
    waited = std::chrono::steady_clock::now() - t0;
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return waiting; });
  }
  auto r = producer.Enqueue(Req("t"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  waiter.join();
  EXPECT_TRUE(wait_status.ok()) << wait_status.ToString();
  EXPECT_LT(waited, std::chrono::seconds(20)) << "the enqueue did not wake the waiter";
  // The woken worker finds the job.
  Lease l = ClaimOne();
  EXPECT_EQ(l.job_id, r->job.id);
}

TEST_P(JobQueueConformanceTest, WaitForWorkWakesWhenAScheduledJobIsDue) {
  Enqueue("t", 5, now() + 1'000);
  ASSERT_TRUE(queue().WaitForWork(1).ok());
  clock_.AdvanceSeconds(2);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(queue().WaitForWork(60'000).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
  ClaimOne();
}

}  // namespace ct
