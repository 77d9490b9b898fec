// The SQL queue on PostgreSQL (a real, throw-away server): the conformance suite (a fresh
// database per test) plus NOTIFY wake-ups across connections and surviving a server restart.
#include <chrono>
#include <thread>

#include "queue/job_queue_conformance.h"
#include "queue/sql/sql_connection.h"
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

// A transaction that took a smaller event id but commits later must not be skipped by the feed.
TEST(SqlJobQueuePostgresTest, EventsFeedWaitsForATransactionInFlight) {
  auto url = testing::FreshDatabaseUrl();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  FakeClock clock;
  auto q = OpenOrNull(*url, clock);
  ASSERT_NE(q, nullptr);
  auto start = q->EventsSince("", 10);
  ASSERT_TRUE(start.ok());

  auto raw = queue_sql::OpenPostgresConnection(*url, 30'000, 5);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  ASSERT_TRUE((*raw)->Exec("BEGIN").ok());
  ASSERT_TRUE((*raw)
                  ->Query("INSERT INTO job_events (job_id, at, kind, detail) "
                          "VALUES ('slow', 1, 'enqueued', '{}')",
                          {})
                  .ok());
  auto job = q->Enqueue(Noop());  // commits an event with a larger id first
  ASSERT_TRUE(job.ok());

  auto held = q->EventsSince(start->second, 10);
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->first.empty()) << "returned an event past a transaction still in flight";
  EXPECT_EQ(held->second, start->second);

  ASSERT_TRUE((*raw)->Exec("COMMIT").ok());
  auto both = q->EventsSince(start->second, 10);
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->first.size(), 2u);
  EXPECT_EQ(both->first[0].job_id, "slow");
  EXPECT_EQ(both->first[1].job_id, job->job.id);
}

// A rolled-back insert leaves a permanent gap; once old enough it no longer holds the feed.
TEST(SqlJobQueuePostgresTest, EventsFeedStepsOverARolledBackGap) {
  auto url = testing::FreshDatabaseUrl();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  FakeClock clock;
  QueueSqlOptions no_wait;
  no_wait.pg_feed_gap_wait_ms = 0;
  auto q = OpenOrNull(*url, clock, no_wait);
  ASSERT_NE(q, nullptr);
  auto start = q->EventsSince("", 10);
  ASSERT_TRUE(start.ok());
  auto raw = queue_sql::OpenPostgresConnection(*url, 30'000, 5);
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE((*raw)->Exec("BEGIN").ok());
  ASSERT_TRUE((*raw)
                  ->Query("INSERT INTO job_events (job_id, at, kind, detail) "
                          "VALUES ('gone', 1, 'enqueued', '{}')",
                          {})
                  .ok());
  ASSERT_TRUE((*raw)->Exec("ROLLBACK").ok());
  auto job = q->Enqueue(Noop());
  ASSERT_TRUE(job.ok());
  auto page = q->EventsSince(start->second, 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->first.size(), 1u);
  EXPECT_EQ(page->first[0].job_id, job->job.id);
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
