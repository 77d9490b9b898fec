// Redis-specific behaviour of the Redis JobQueue (the shared contract is in the conformance
// suite): open-time checks, outages and reconnection, NOSCRIPT reload, concurrency.
#include "queue/redis/redis_job_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "queue/redis/testing/redis_server.h"

namespace ct {
namespace {

EnqueueRequest Req(const std::string& type, int priority = kDefaultPriority) {
  EnqueueRequest r;
  r.type = type;
  r.priority = priority;
  return r;
}

class RedisJobQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::SharedRedisServer();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = *server;
    options_.key_prefix = server_->NewKeyPrefix();
    auto queue = OpenRedisJobQueue(server_->url(), options_, clock_);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(queue).value();
  }

  FakeClock clock_;
  testing::RedisServer* server_ = nullptr;
  RedisQueueOptions options_;
  std::unique_ptr<JobQueue> queue_;
};

TEST_F(RedisJobQueueTest, RefusesAnEvictingRedis) {
  ASSERT_TRUE(server_->Exec({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}).ok());
  auto queue = OpenRedisJobQueue(server_->url(), options_, clock_);
  ASSERT_TRUE(server_->Exec({"CONFIG", "SET", "maxmemory-policy", "noeviction"}).ok());
  ASSERT_FALSE(queue.ok());
  EXPECT_EQ(queue.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(queue.status().message().find("noeviction"), std::string::npos)
      << queue.status().message();
  EXPECT_NE(queue.status().message().find("allkeys-lru"), std::string::npos);
}

TEST_F(RedisJobQueueTest, UnreachableRedisIsUnavailableUnlessLazy) {
  auto dead = testing::RedisServer::Start();
  ASSERT_TRUE(dead.ok()) << dead.status().ToString();
  const std::string url = (*dead)->url();
  ASSERT_TRUE((*dead)->Stop().ok());
  RedisQueueOptions options = options_;
  options.connect_timeout_ms = 200;
  auto eager = OpenRedisJobQueue(url, options, clock_);
  ASSERT_FALSE(eager.ok());
  EXPECT_TRUE(eager.status().transient()) << eager.status().ToString();

  options.connect_lazily = true;
  auto lazy = OpenRedisJobQueue(url, options, clock_);
  ASSERT_TRUE(lazy.ok()) << lazy.status().ToString();
  auto enq = (*lazy)->Enqueue(Req("test.noop"));
  ASSERT_FALSE(enq.ok());
  EXPECT_EQ(enq.status().code(), StatusCode::kUnavailable) << enq.status().ToString();

  ASSERT_TRUE((*dead)->StartAgain().ok());
  auto again = (*lazy)->Enqueue(Req("test.noop"));
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

TEST_F(RedisJobQueueTest, SurvivesARestartAndReloadsScripts) {
  testing::RedisServerOptions persistent;
  persistent.persistent = true;
  auto server = testing::RedisServer::Start(persistent);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto opened = OpenRedisJobQueue((*server)->url(), options_, clock_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  JobQueue& queue = **opened;
  auto first = queue.Enqueue(Req("test.noop"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();

  ASSERT_TRUE((*server)->Stop().ok());
  auto during = queue.Enqueue(Req("test.noop"));
  ASSERT_FALSE(during.ok());
  EXPECT_TRUE(during.status().transient()) << during.status().ToString();

  ASSERT_TRUE((*server)->StartAgain().ok());
  // The restart emptied the script cache and killed the pooled connections.
  auto claimed = queue.Claim("w1", 10, {}, 30'000);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), 1u) << "the job enqueued before the outage survives (AOF)";
  EXPECT_EQ((*claimed)[0].job_id, first->job.id);
  EXPECT_TRUE(queue.Complete((*claimed)[0], "{}").ok());
}

TEST_F(RedisJobQueueTest, ClaimsSeveralJobsPerCallInPriorityOrderAcrossTypes) {
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    auto r = queue_->Enqueue(Req(i % 2 ? "a" : "b", i));
    ASSERT_TRUE(r.ok());
    ids.push_back(r->job.id);
    clock_.AdvanceMicros(1000);
  }
  auto claimed = queue_->Claim("w1", 3, {}, 30'000);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), 3u);
  EXPECT_EQ((*claimed)[0].job_id, ids[3]);
  EXPECT_EQ((*claimed)[1].job_id, ids[2]);
  EXPECT_EQ((*claimed)[2].job_id, ids[1]);
}

TEST_F(RedisJobQueueTest, ConcurrentClaimersNeverShareAJob) {
  constexpr int kJobs = 400;
  constexpr int kThreads = 8;
  for (int i = 0; i < kJobs; ++i) ASSERT_TRUE(queue_->Enqueue(Req("test.noop")).ok());
  std::mutex mu;
  std::multiset<std::string> seen;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (true) {
        auto r = queue_->Claim("w" + std::to_string(t), 3, {}, 30'000);
        if (!r.ok()) {
          ++errors;
          return;
        }
        if (r->empty()) return;
        for (const Lease& l : *r) {
          if (!queue_->Complete(l, "{}").ok()) ++errors;
          std::lock_guard lock(mu);
          seen.insert(l.job_id);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kJobs));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), static_cast<size_t>(kJobs));
}

TEST_F(RedisJobQueueTest, WaitForWorkWakesOnEnqueueFromAnotherConnection) {
  auto other = OpenRedisJobQueue(server_->url(), options_, clock_);
  ASSERT_TRUE(other.ok());
  // Drain stale wake tokens, then wait in a thread; the enqueue must end the wait early.
  while (true) {
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(queue_->WaitForWork(1).ok());
    if (std::chrono::steady_clock::now() - start > std::chrono::microseconds(500)) break;
  }
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    EXPECT_TRUE(queue_->WaitForWork(60'000).ok());
    done = true;
  });
  ASSERT_TRUE((*other)->Enqueue(Req("test.noop")).ok());
  waiter.join();  // would take 60 s without the wake-up (the test timeout catches a hang)
  EXPECT_TRUE(done.load());
}

TEST_F(RedisJobQueueTest, EventsFeedFollowsEveryTransition) {
  auto start = queue_->EventsSince("", 100);
  ASSERT_TRUE(start.ok());
  EXPECT_TRUE(start->first.empty());
  auto job = queue_->Enqueue(Req("test.noop"));
  ASSERT_TRUE(job.ok());
  auto leases = queue_->Claim("w1", 1, {}, 30'000);
  ASSERT_TRUE(leases.ok() && leases->size() == 1);
  ASSERT_TRUE(queue_->Complete((*leases)[0], R"({"n":1})").ok());
  auto feed = queue_->EventsSince(start->second, 100);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  std::vector<std::string> kinds;
  for (const auto& e : feed->first) {
    if (e.job_id == job->job.id) kinds.push_back(e.kind);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"enqueued", "claimed", "succeeded"}));
  auto rest = queue_->EventsSince(feed->second, 100);
  ASSERT_TRUE(rest.ok());
  EXPECT_TRUE(rest->first.empty());
  EXPECT_EQ(queue_->EventsSince("not-a-cursor", 10).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ct
