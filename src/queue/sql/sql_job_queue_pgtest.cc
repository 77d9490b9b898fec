// The SQL queue on PostgreSQL (a real, throw-away server): the conformance suite (a fresh
// database per test) plus NOTIFY wake-ups across connections and surviving a server restart.
#include <chrono>
#include <thread>

#include "queue/job_queue_conformance.h"
#include "queue/sql/sql_job_queue.h"
#include "support/pg_server.h"

namespace ct {
namespace {

std::unique_ptr<JobQueue> OpenOrNull(const std::string& url, const Clock& clock,
                                     const QueueSqlOptions& options = {}) {
  auto q = OpenSqlJobQueue(url, options, clock);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  return q.ok() ? std::move(q).value() : nullptr;
}

JobQueueBackend PostgresBackend() {
  auto last_url = std::make_shared<std::string>();
  JobQueueBackend b;
  b.name = "Postgres";
  b.open = [last_url](FakeClock& clock) -> std::unique_ptr<JobQueue> {
    auto url = testing::FreshDatabaseUrl();
    EXPECT_TRUE(url.ok()) << url.status().ToString();
    if (!url.ok()) return nullptr;
    *last_url = *url;
    return OpenOrNull(*url, clock);
  };
  b.open_peer = [last_url](FakeClock& clock) { return OpenOrNull(*last_url, clock); };
  return b;
}

INSTANTIATE_TEST_SUITE_P(Postgres, JobQueueConformanceTest,
                         ::testing::Values(PostgresBackend()), JobQueueBackendName);

EnqueueRequest Noop() {
  EnqueueRequest r;
  r.type = "test.noop";
  return r;
}

// With polling slowed to a minute, only the NOTIFY of another connection can wake the waiter.
TEST(SqlJobQueuePostgresTest, NotifyFromAnotherConnectionWakesWaitForWork) {
  auto url = testing::FreshDatabaseUrl();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  FakeClock clock;
  QueueSqlOptions slow;
  slow.pg_poll_interval_ms = 60'000;
  auto waiter_queue = OpenOrNull(*url, clock, slow);
  auto producer = OpenOrNull(*url, clock);
  ASSERT_NE(waiter_queue, nullptr);
  ASSERT_NE(producer, nullptr);
  EXPECT_EQ(waiter_queue->backend(), "postgresql");

  std::atomic<bool> started{false};
  std::chrono::steady_clock::duration waited{};
  Status st = Status::Internal("not run");
  std::thread waiter([&] {
    started = true;
    started.notify_all();
    const auto t0 = std::chrono::steady_clock::now();
    st = waiter_queue->WaitForWork(120'000);
    waited = std::chrono::steady_clock::now() - t0;
  });
  started.wait(false);
  ASSERT_TRUE(producer->Enqueue(Noop()).ok());
  waiter.join();
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_LT(waited, std::chrono::seconds(30));
}

TEST(SqlJobQueuePostgresTest, SurvivesAServerRestart) {
  auto server = testing::PgServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto url = (*server)->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  FakeClock clock;
  auto q = OpenOrNull(*url, clock);
  ASSERT_NE(q, nullptr);
  auto before = q->Enqueue(Noop());
  ASSERT_TRUE(before.ok());

  ASSERT_TRUE((*server)->StopServer().ok());
  auto down = q->Enqueue(Noop());
  ASSERT_FALSE(down.ok());
  EXPECT_TRUE(down.status().transient()) << down.status().ToString();
  EXPECT_TRUE(q->Ping().transient());

  ASSERT_TRUE((*server)->StartServer().ok());
  ASSERT_TRUE(q->Ping().ok()) << "pooled connections must be replaced after a restart";
  auto after = q->Enqueue(Noop());
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_TRUE(q->WaitForWork(1'000).ok());
  auto leases = q->Claim("w1", 10, {}, 30'000);
  ASSERT_TRUE(leases.ok()) << leases.status().ToString();
  EXPECT_EQ(leases->size(), 2u) << "the job enqueued before the restart is kept";
}

}  // namespace
}  // namespace ct
