// FallbackQueue against a real redis-server that is stopped and restarted mid-run. The second
// backend is the SQL queue on SQLite when it is built (CT_HAVE_SQL_QUEUE), else a Redis queue on
// another server that stays up (same contract, so the routing logic is exercised either way).
#include "queue/fallback_queue.h"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <set>

#include "queue/redis/redis_job_queue.h"
#include "queue/redis/testing/redis_server.h"
#if defined(CT_HAVE_SQL_QUEUE) && __has_include("queue/sql/sql_job_queue.h")
#define CT_FALLBACK_ON_SQLITE 1
#include "queue/sql/sql_job_queue.h"
#endif
#ifdef CT_HAVE_QUEUE_CONFORMANCE
#include "queue/job_queue_conformance.h"
#endif

namespace ct {
namespace {

EnqueueRequest Req(const std::string& type, int priority = kDefaultPriority) {
  EnqueueRequest r;
  r.type = type;
  r.priority = priority;
  return r;
}

#ifdef CT_FALLBACK_ON_SQLITE
// One temp directory for this binary's SQLite files, removed at exit.
class SqliteDir {
 public:
  SqliteDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "ct-fallback-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~SqliteDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  std::string NewDatabase() { return path_ + "/q" + std::to_string(n_++) + ".db"; }

 private:
  std::string path_;
  std::atomic<int> n_{0};
};
#endif

// The durable second backend, fresh and empty.
std::unique_ptr<JobQueue> OpenSecondary(FakeClock& clock) {
#ifdef CT_FALLBACK_ON_SQLITE
  static SqliteDir dir;  // function-local: lives until exit, after every queue is closed
  auto q = OpenSqlJobQueue("sqlite:" + dir.NewDatabase(), QueueSqlOptions{}, clock);
#else
  auto server = testing::SharedRedisServer();
  if (!server.ok()) {
    ADD_FAILURE() << server.status().ToString();
    return nullptr;
  }
  RedisQueueOptions options;
  options.key_prefix = "sql-stand-in:" + (*server)->NewKeyPrefix();
  auto q = OpenRedisJobQueue((*server)->url(), options, clock);
#endif
  if (!q.ok()) {
    ADD_FAILURE() << "opening the secondary queue: " << q.status().ToString();
    return nullptr;
  }
  return std::move(q).value();
}

class FallbackQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::RedisServerOptions opts;
    opts.persistent = true;  // an outage, not data loss: the restarted Redis keeps its jobs
    auto server = testing::RedisServer::Start(opts);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    redis_server_ = std::move(server).value();
    RedisQueueOptions options;
    options.key_prefix = "fb:";
    options.connect_timeout_ms = 300;
    options.command_timeout_ms = 1000;
    options.connect_lazily = true;
    auto redis = OpenRedisJobQueue(redis_server_->url(), options, clock_);
    ASSERT_TRUE(redis.ok()) << redis.status().ToString();
    // A second handle on the same keys, to see where jobs landed.
    auto probe = OpenRedisJobQueue(redis_server_->url(), options, clock_);
    ASSERT_TRUE(probe.ok());
    redis_view_ = std::move(probe).value();
    auto sql = OpenSecondary(clock_);
    ASSERT_NE(sql, nullptr);
    sql_view_ = sql.get();
    queue_ = std::make_unique<FallbackQueue>(std::move(redis).value(), std::move(sql), clock_);
  }

  bool InRedis(const std::string& id) { return redis_view_->Get(id).ok(); }
  bool InSql(const std::string& id) { return sql_view_->Get(id).ok(); }

  Job MustEnqueue(const std::string& type = "test.noop") {
    auto r = queue_->Enqueue(Req(type));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->job : Job{};
  }

  FakeClock clock_;
  std::unique_ptr<testing::RedisServer> redis_server_;
  std::unique_ptr<JobQueue> redis_view_;
  JobQueue* sql_view_ = nullptr;  // owned by queue_
  std::unique_ptr<FallbackQueue> queue_;
};

TEST_F(FallbackQueueTest, UsesRedisWhileItIsUp) {
  const Job job = MustEnqueue();
  EXPECT_TRUE(InRedis(job.id));
  EXPECT_FALSE(InSql(job.id));
  EXPECT_FALSE(queue_->degraded_reason().has_value());
  EXPECT_EQ(queue_->backend(), "fallback");
}

TEST_F(FallbackQueueTest, OutageSendsJobsToSqlAndRecoveryBringsThemBack) {
  const Job before = MustEnqueue();
  ASSERT_TRUE(redis_server_->Stop().ok());

  const Job during = MustEnqueue();
  EXPECT_TRUE(InSql(during.id));
  ASSERT_TRUE(queue_->degraded_reason().has_value());
  EXPECT_NE(queue_->degraded_reason()->find("redis"), std::string::npos);
  // While Redis is down its job is out of reach, but not reported missing.
  EXPECT_TRUE(queue_->Get(before.id).status().transient()) << queue_->Get(before.id).status().ToString();
  auto got = queue_->Get(during.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();

  ASSERT_TRUE(redis_server_->StartAgain().ok());
  // Still degraded until the next probe is due (the clock paces probes).
  const Job still_sql = MustEnqueue();
  EXPECT_TRUE(InSql(still_sql.id));
  clock_.AdvanceSeconds(5);
  const Job after = MustEnqueue();
  EXPECT_TRUE(InRedis(after.id));
  EXPECT_FALSE(queue_->degraded_reason().has_value());

  // Workers drain both; every accepted job runs exactly once here.
  std::set<std::string> done;
  for (int i = 0; i < 10 && done.size() < 4; ++i) {
    auto leases = queue_->Claim("w1", 2, {}, 30'000);
    ASSERT_TRUE(leases.ok()) << leases.status().ToString();
    for (const Lease& l : *leases) {
      ASSERT_TRUE(queue_->Complete(l, "{}").ok());
      EXPECT_TRUE(done.insert(l.job_id).second);
    }
    clock_.AdvanceSeconds(1);  // lets the idle SQL side be polled again
  }
  EXPECT_EQ(done, (std::set<std::string>{before.id, during.id, still_sql.id, after.id}));
  for (const auto& id : done) {
    auto job = queue_->Get(id);
    ASSERT_TRUE(job.ok()) << job.status().ToString();
    EXPECT_EQ(job->state, JobState::kSucceeded);
  }
}

// A lease that lapsed only because Redis was away is left to its worker for rescue_grace_ms
// after Redis answers again (its outcome write then goes through: the job runs once); after the
// grace, expired leases are rescued as usual.
TEST_F(FallbackQueueTest, LeasesThatLapsedDuringAnOutageAreLeftToTheirWorkersForAGrace) {
  const Job a = MustEnqueue();
  auto leases = queue_->Claim("w1", 1, {}, 5'000);
  ASSERT_TRUE(leases.ok()) << leases.status().ToString();
  ASSERT_EQ(leases->size(), 1u);
  const Lease lease = (*leases)[0];
  ASSERT_EQ(lease.job_id, a.id);

  ASSERT_TRUE(redis_server_->Stop().ok());
  EXPECT_TRUE(InSql(MustEnqueue().id));  // degraded
  EXPECT_EQ(queue_->Complete(lease, "{}").code(), StatusCode::kUnavailable);
  clock_.AdvanceSeconds(20);  // the lease (5 s) lapses while nobody can reach Redis
  ASSERT_TRUE(redis_server_->StartAgain().ok());
  EXPECT_TRUE(InRedis(MustEnqueue().id)) << "the probe saw Redis again";

  auto rescued = queue_->RescueExpired();
  ASSERT_TRUE(rescued.ok()) << rescued.status().ToString();
  EXPECT_EQ(*rescued, 0) << "within the grace";
  EXPECT_EQ(redis_view_->Get(a.id)->state, JobState::kRunning);
  ASSERT_TRUE(queue_->Complete(lease, R"({"late":false})").ok()) << "the worker's retried write";
  EXPECT_EQ(redis_view_->Get(a.id)->state, JobState::kSucceeded);
  EXPECT_EQ(redis_view_->Get(a.id)->attempts, 1);

  // After the grace, a lease that really expired is rescued.
  auto more = redis_view_->Claim("w2", 10, {}, 5'000);
  ASSERT_TRUE(more.ok());
  ASSERT_FALSE(more->empty());
  clock_.AdvanceSeconds(11);
  rescued = queue_->RescueExpired();
  ASSERT_TRUE(rescued.ok()) << rescued.status().ToString();
  EXPECT_EQ(*rescued, static_cast<int>(more->size()));
  for (const Lease& l : *more) {
    EXPECT_EQ(redis_view_->Get(l.job_id)->state, JobState::kQueued);
    EXPECT_EQ(redis_view_->Get(l.job_id)->crashes, 1);
  }
}

TEST_F(FallbackQueueTest, StartsDegradedWhenRedisIsDownAtStart) {
  ASSERT_TRUE(redis_server_->Stop().ok());
  const Job job = MustEnqueue();
  EXPECT_TRUE(InSql(job.id));
  EXPECT_TRUE(queue_->degraded_reason().has_value());
  auto leases = queue_->Claim("w1", 5, {}, 30'000);
  ASSERT_TRUE(leases.ok()) << leases.status().ToString();
  ASSERT_EQ(leases->size(), 1u);
  auto hb = queue_->Heartbeat((*leases)[0], 30'000);
  EXPECT_TRUE(hb.ok()) << hb.status().ToString();
  EXPECT_TRUE(queue_->ReportProgress((*leases)[0], {1, 2, "half"}).ok());
  JobFailure failure;
  failure.kind = FailureKind::kPermanent;
  failure.message = "bad payload";
  EXPECT_TRUE(queue_->Fail((*leases)[0], failure).ok());
  auto dead = queue_->Get(job.id);
  ASSERT_TRUE(dead.ok());
  EXPECT_EQ(dead->state, JobState::kDead);
  auto replayed = queue_->Retry(job.id);
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_EQ(replayed->state, JobState::kQueued);
  auto counts = queue_->Counts();
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
}

TEST_F(FallbackQueueTest, ListAndCountsMergeBothBackendsNewestFirst) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(MustEnqueue().id);
    clock_.AdvanceMicros(1000);
  }
  ASSERT_TRUE(redis_server_->Stop().ok());
  for (int i = 0; i < 3; ++i) {
    ids.push_back(MustEnqueue().id);
    clock_.AdvanceMicros(1000);
  }
  ASSERT_TRUE(redis_server_->StartAgain().ok());
  clock_.AdvanceSeconds(5);
  for (int i = 0; i < 2; ++i) {
    ids.push_back(MustEnqueue().id);
    clock_.AdvanceMicros(1000);
  }
  ASSERT_FALSE(queue_->degraded_reason().has_value());
  std::vector<std::string> listed;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto r = queue_->List(JobFilter{}, cursor, 3);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const Job& j : r->items) listed.push_back(j.id);
    cursor = r->next_cursor;
    if (cursor.empty()) break;
  }
  std::vector<std::string> expected(ids.rbegin(), ids.rend());
  EXPECT_EQ(listed, expected);

  auto counts = queue_->Counts();
  ASSERT_TRUE(counts.ok());
  std::int64_t queued = -1;
  for (const auto& [state, n] : counts->by_state) {
    if (state == "queued") queued = n;
  }
  EXPECT_EQ(queued, 8);
}

TEST_F(FallbackQueueTest, EventFeedMergesBothBackends) {
  auto start = queue_->EventsSince("", 50);
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  const Job in_redis = MustEnqueue();
  ASSERT_TRUE(redis_server_->Stop().ok());
  clock_.AdvanceMicros(1000);
  const Job in_sql = MustEnqueue();
  ASSERT_TRUE(redis_server_->StartAgain().ok());
  clock_.AdvanceSeconds(5);
  auto feed = queue_->EventsSince(start->second, 50);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  std::vector<std::string> jobs;
  for (const auto& e : feed->first) {
    if (e.kind == "enqueued") jobs.push_back(e.job_id);
  }
  EXPECT_EQ(jobs, (std::vector<std::string>{in_redis.id, in_sql.id}));
  auto rest = queue_->EventsSince(feed->second, 50);
  ASSERT_TRUE(rest.ok());
  EXPECT_TRUE(rest->first.empty());
  EXPECT_EQ(queue_->EventsSince("garbage", 5).status().code(), StatusCode::kInvalidArgument);
}

#ifdef CT_HAVE_QUEUE_CONFORMANCE
// The whole contract on FallbackQueue with Redis up.
JobQueueBackend FallbackBackend() {
  JobQueueBackend b;
  b.name = "FallbackRedisUp";
  b.open = [](FakeClock& clock) -> std::unique_ptr<JobQueue> {
    auto server = testing::SharedRedisServer();
    if (!server.ok()) {
      ADD_FAILURE() << server.status().ToString();
      return nullptr;
    }
    RedisQueueOptions options;
    options.key_prefix = "fbconf:" + (*server)->NewKeyPrefix();
    auto redis = OpenRedisJobQueue((*server)->url(), options, clock);
    auto sql = OpenSecondary(clock);
    if (!redis.ok() || sql == nullptr) {
      ADD_FAILURE() << redis.status().ToString();
      return nullptr;
    }
    return std::make_unique<FallbackQueue>(std::move(redis).value(), std::move(sql), clock);
  };
  return b;
}

INSTANTIATE_TEST_SUITE_P(Fallback, JobQueueConformanceTest, ::testing::Values(FallbackBackend()),
                         ::ct::JobQueueBackendName);
#endif

}  // namespace
}  // namespace ct
