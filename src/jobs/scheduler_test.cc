#include "jobs/scheduler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "core/config.h"
#include "core/time_format.h"
#include "queue/job_queue.h"
#include "queue/sql/sql_job_queue.h"

namespace ct {
namespace {

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ct-scheduler-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    clock_.SetMicros(*ParseIso8601("2024-01-01T00:00:30Z") * 1'000'000);
    queue_ = Open();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<JobQueue> Open() {
    auto q = OpenSqlJobQueue("sqlite:" + (dir_ / "q.db").string(), QueueSqlOptions{}, clock_);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return std::move(q).value();
  }

  static ScheduleSpec Spec(const std::string& name, const char* cron,
                           MisfirePolicy misfire = MisfirePolicy::kSkip,
                           OverlapPolicy overlap = OverlapPolicy::kAllow) {
    ScheduleSpec s{name, *CronSchedule::Parse(cron), "test.noop"};
    s.misfire = misfire;
    s.misfire_window_ms = 60'000;
    s.overlap = overlap;
    return s;
  }

  std::int64_t CountJobs(JobQueue& q) {
    std::int64_t n = 0;
    std::string cursor;
    do {
      auto page = q.List({}, cursor, 200);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      n += static_cast<std::int64_t>(page->items.size());
      cursor = page->next_cursor;
    } while (!cursor.empty());
    return n;
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  std::unique_ptr<JobQueue> queue_;
};

TEST_F(SchedulerTest, FiresEachTickOnceAsTimePasses) {
  Scheduler s(*queue_, {Spec("minutely", "* * * * *")}, {"a"}, clock_);
  // At 00:00:30 the 00:00 tick is 30 s late: within the 60 s misfire window, so it fires.
  auto first = s.RunOnce();
  ASSERT_EQ(first.fired.size(), 1u);
  EXPECT_EQ(first.fired[0], "minutely@2024-01-01T00:00:00Z");
  clock_.AdvanceSeconds(30);  // 00:01:00
  auto r = s.RunOnce();
  EXPECT_TRUE(r.leader);
  ASSERT_EQ(r.fired.size(), 1u);
  EXPECT_EQ(r.fired[0], "minutely@2024-01-01T00:01:00Z");
  EXPECT_TRUE(s.RunOnce().fired.empty()) << "same tick twice";
  clock_.AdvanceSeconds(60);
  EXPECT_EQ(s.RunOnce().fired.size(), 1u);
  EXPECT_EQ(CountJobs(*queue_), 3);
}

TEST_F(SchedulerTest, TwoSchedulersFor100TicksEnqueueEachTickOnce) {
  auto second_queue = Open();  // another process's connection to the same database
  Scheduler a(*queue_, {Spec("tick", "* * * * *")}, {"a", 15'000}, clock_);
  Scheduler b(*second_queue, {Spec("tick", "* * * * *")}, {"b", 15'000}, clock_);
  int fired = 0;
  for (int i = 0; i < 100; ++i) {
    clock_.AdvanceSeconds(60);
    // Both run concurrently at every tick.
    TickReport ra, rb;
    std::thread ta([&] { ra = a.RunOnce(); });
    std::thread tb([&] { rb = b.RunOnce(); });
    ta.join();
    tb.join();
    EXPECT_NE(ra.leader, rb.leader) << "exactly one leader at tick " << i;
    fired += static_cast<int>(ra.fired.size() + rb.fired.size());
  }
  EXPECT_EQ(fired, 100);
  EXPECT_EQ(CountJobs(*queue_), 100);
}

TEST_F(SchedulerTest, SplitBrainStillFiresOnceThanksToFiringKeys) {
  // Two schedulers that both believe they lead (a paused leader whose lease lapsed): the
  // firing record is what keeps each tick single. Each uses its own lease name via holder ids
  // that never contend: we give the second a different queue lease by expiring the first's.
  auto second_queue = Open();
  Scheduler a(*queue_, {Spec("tick", "* * * * *")}, {"a", 1}, clock_);
  Scheduler b(*second_queue, {Spec("tick", "* * * * *")}, {"b", 1}, clock_);
  int fired = 0, already = 0;
  for (int i = 0; i < 100; ++i) {
    clock_.AdvanceSeconds(60);
    TickReport ra = a.RunOnce();  // a leads; its 1 ms lease lapses at once...
    clock_.AdvanceMicros(2'000);
    TickReport rb = b.RunOnce();  // ...so b leads too, for the same tick
    ASSERT_TRUE(ra.leader);
    ASSERT_TRUE(rb.leader);
    fired += static_cast<int>(ra.fired.size() + rb.fired.size());
    already += static_cast<int>(ra.skipped.size() + rb.skipped.size());
  }
  EXPECT_EQ(fired, 100);
  EXPECT_EQ(already, 100);
  EXPECT_EQ(CountJobs(*queue_), 100);
}

TEST_F(SchedulerTest, MisfirePolicies) {
  Scheduler once(*queue_, {Spec("once", "0 * * * *", MisfirePolicy::kFireOnce)}, {"a"}, clock_);
  Scheduler skip(*queue_, {Spec("skip", "0 * * * *", MisfirePolicy::kSkip)}, {"a"}, clock_);
  once.RunOnce();
  skip.RunOnce();
  clock_.AdvanceSeconds(5 * 3600 + 600);  // down for five hourly ticks, 10 minutes past the last
  // kFireOnce with a 1-minute window fires nothing this late; widen it to a day to catch up.
  Scheduler catch_up(*queue_, {[] {
                       ScheduleSpec s = Spec("catchup", "0 * * * *", MisfirePolicy::kFireOnce);
                       s.misfire_window_ms = 24LL * 3600 * 1000;
                       return s;
                     }()},
                     {"a"}, clock_);
  auto r = catch_up.RunOnce();
  ASSERT_EQ(r.fired.size(), 1u) << "five missed ticks fire once";
  EXPECT_EQ(r.fired[0], "catchup@2024-01-01T05:00:00Z");
  EXPECT_TRUE(skip.RunOnce().fired.empty()) << "missed by more than the window: skipped";
}

TEST_F(SchedulerTest, OverlapSkipWhilePreviousRunIsActive) {
  Scheduler s(*queue_, {Spec("slow", "* * * * *", MisfirePolicy::kSkip, OverlapPolicy::kSkip)},
              {"a"}, clock_);
  clock_.AdvanceSeconds(30);
  ASSERT_EQ(s.RunOnce().fired.size(), 1u);
  clock_.AdvanceSeconds(60);
  auto r = s.RunOnce();
  EXPECT_TRUE(r.fired.empty());
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_NE(r.skipped[0].find("still active"), std::string::npos);
  // Once the previous run finishes, the next tick fires.
  const std::string types[] = {"test.noop"};
  auto leases = queue_->Claim("w", 10, types, 30'000);
  ASSERT_TRUE(leases.ok());
  ASSERT_EQ(leases->size(), 1u);
  ASSERT_TRUE(queue_->Complete((*leases)[0], "{}").ok());
  clock_.AdvanceSeconds(60);
  EXPECT_EQ(s.RunOnce().fired.size(), 1u);
}

TEST_F(SchedulerTest, StandbyTakesOverWhenTheLeaderStops) {
  auto second_queue = Open();
  auto a = std::make_unique<Scheduler>(*queue_, std::vector{Spec("t", "* * * * *")},
                                       SchedulerOptions{"a", 15'000}, clock_);
  Scheduler b(*second_queue, {Spec("t", "* * * * *")}, {"b", 15'000}, clock_);
  EXPECT_TRUE(a->RunOnce().leader);
  EXPECT_FALSE(b.RunOnce().leader);
  a.reset();  // Stop releases the lease
  clock_.AdvanceSeconds(60);
  auto r = b.RunOnce();
  EXPECT_TRUE(r.leader);
  EXPECT_EQ(r.fired.size(), 1u);
}

// [sources.NAME] schedule: each enabled source with one fires `scrape {source}` on its own
// cron, with the firing key and overlap semantics of [schedules.*].
TEST_F(SchedulerTest, SourceSchedulesFireScrapesOfTheirSource) {
  std::vector<SourceConfig> sources(3);
  sources[0].name = "trustpilot";
  sources[0].kind = "trustpilot";
  sources[0].schedule = "*/30 * * * *";
  sources[1].name = "reddit";  // no schedule of its own: auto_scrape's
  sources[1].kind = "reddit";
  sources[2].name = "hn";
  sources[2].kind = "hackernews";
  sources[2].schedule = "* * * * *";
  sources[2].enabled = false;  // disabled: never scheduled
  auto specs = BuildAllScheduleSpecs({}, sources);
  ASSERT_TRUE(specs.ok()) << specs.status().ToString();
  ASSERT_EQ(specs->size(), 1u);
  EXPECT_EQ((*specs)[0].name, "source:trustpilot");
  EXPECT_EQ((*specs)[0].job_type, "scrape");
  EXPECT_EQ((*specs)[0].payload_json, R"({"source":"trustpilot"})");

  Scheduler a(*queue_, *specs, {"a"}, clock_);
  auto other = Open();
  Scheduler b(*other, *specs, {"b"}, clock_);  // a second scheduler never double-fires
  auto r = a.RunOnce();
  ASSERT_EQ(r.fired.size(), 1u) << "the 00:00 tick, 30 s late";
  EXPECT_EQ(r.fired[0], "source:trustpilot@2024-01-01T00:00:00Z");
  auto page = queue_->List({}, "", 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  const Job first = page->items[0];
  EXPECT_EQ(first.type, "scrape");
  EXPECT_EQ(first.payload_json, R"({"source":"trustpilot"})");
  EXPECT_EQ(first.unique_key, "schedule:source:trustpilot");

  EXPECT_TRUE(b.RunOnce().fired.empty()) << "b is not the leader";
  // 00:30: the previous scrape is still queued, so this tick is skipped (overlap skip).
  clock_.AdvanceSeconds(30 * 60);
  r = a.RunOnce();
  EXPECT_TRUE(r.fired.empty());
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_NE(r.skipped[0].find("still active"), std::string::npos) << r.skipped[0];

  // Once it ended, the 01:00 tick enqueues a new scrape.
  ASSERT_TRUE(queue_->Cancel(first.id).ok());
  clock_.AdvanceSeconds(30 * 60);
  r = a.RunOnce();
  ASSERT_EQ(r.fired.size(), 1u);
  EXPECT_EQ(r.fired[0], "source:trustpilot@2024-01-01T01:00:00Z");
  EXPECT_EQ(CountJobs(*queue_), 2);

  sources[0].schedule = "0 25 * * *";
  auto bad = BuildAllScheduleSpecs(DefaultSchedules(), sources);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("source:trustpilot"), std::string::npos)
      << bad.status().ToString();
}

TEST(ScheduleSpecsTest, FromConfigWithErrorsNamed) {
  auto specs = BuildScheduleSpecs(DefaultSchedules());
  ASSERT_TRUE(specs.ok()) << specs.status().ToString();
  EXPECT_EQ(specs->size(), 3u);
  std::vector<ScheduleConfig> bad = DefaultSchedules();
  bad[1].cron = "0 25 * * *";
  auto r = BuildScheduleSpecs(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("schedule 'backup'"), std::string::npos);
  EXPECT_NE(r.status().message().find("hour"), std::string::npos);
}

}  // namespace
}  // namespace ct
