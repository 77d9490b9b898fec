#include "jobs/job_registry.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "jobs/builtin_jobs.h"
#include "jobs/job_protocol.h"
#include "jobs/queue_factory.h"
#include "queue/job_queue.h"

#include <unistd.h>

#include <filesystem>

namespace ct {
namespace {

JobRegistry Builtins(bool test_jobs, const Clock& clock) {
  JobRegistry r;
  BuiltinJobOptions o;
  o.test_jobs = test_jobs;
  EXPECT_TRUE(RegisterBuiltinJobs(r, o, clock).ok());
  return r;
}

TEST(JobRegistryTest, UnknownTypeIsInvalidArgumentListingKnownOnes) {
  FakeClock clock;
  JobRegistry r = Builtins(false, clock);
  Status s = r.ValidatePayload("scrap", "{}");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("unknown job type 'scrap'"), std::string::npos);
  EXPECT_NE(s.message().find("scrape_all"), std::string::npos);
}

TEST(JobRegistryTest, TestTypesOnlyWhenAskedFor) {
  FakeClock clock;
  EXPECT_EQ(Builtins(false, clock).Find("test.hang"), nullptr);
  EXPECT_NE(Builtins(true, clock).Find("test.hang"), nullptr);
  EXPECT_EQ(Builtins(true, clock).Find("test.noop")->isolation, JobIsolation::kInline);
  EXPECT_EQ(Builtins(true, clock).Find("scrape")->isolation, JobIsolation::kIsolated);
}

TEST(JobRegistryTest, DuplicateRegistrationRefused) {
  FakeClock clock;
  JobRegistry r = Builtins(false, clock);
  Status s = r.Register({"backup", JobIsolation::kInline, nullptr,
                         [](JobContext&) -> Result<std::string> { return std::string("{}"); }, ""});
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
}

struct PayloadCase {
  std::string type;
  std::string payload;
  std::string error;  // "" = valid; else a fragment of the message
};

class PayloadTest : public ::testing::TestWithParam<PayloadCase> {};

TEST_P(PayloadTest, Validates) {
  FakeClock clock;
  JobRegistry r = Builtins(true, clock);
  const PayloadCase& c = GetParam();
  Status s = r.ValidatePayload(c.type, c.payload);
  if (c.error.empty()) {
    EXPECT_TRUE(s.ok()) << s.ToString();
  } else {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(c.error), std::string::npos) << s.message();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Builtins, PayloadTest,
    ::testing::Values(
        PayloadCase{"scrape", R"({"source":"reddit","query":"ovh","limit":50})", ""},
        PayloadCase{"scrape", R"({"query":"ovh"})", "payload.source is required"},
        PayloadCase{"scrape", R"({"source":""})", "payload.source must be a non-empty string"},
        PayloadCase{"scrape", R"({"source":"x","limit":0})", "payload.limit must be an integer"},
        PayloadCase{"scrape", R"({"source":"x","limmit":3})", "unknown key 'limmit'"},
        PayloadCase{"scrape", R"([1])", "payload must be a JSON object"},
        PayloadCase{"scrape", R"({"source":)", "not valid JSON"},
        PayloadCase{"scrape_all", R"({})", ""},
        PayloadCase{"scrape_all", R"({"sources":["reddit"],"queries":["ovh"]})", ""},
        PayloadCase{"scrape_all", R"({"sources":"reddit"})", "payload.sources must be an array"},
        PayloadCase{"scrape_all", R"({"queries":["ok",3]})", "payload.queries[1]"},
        PayloadCase{"auto_scrape", R"({})", ""},
        PayloadCase{"auto_scrape", R"({"x":1})", "unknown key 'x'"},
        PayloadCase{"backup", R"({})", ""},
        PayloadCase{"test.sleep", R"({"seconds":0.5})", ""},
        PayloadCase{"test.sleep", R"({"seconds":-1})", "payload.seconds must be a number"},
        PayloadCase{"test.progress", R"({"steps":3})", ""},
        PayloadCase{"test.fail", R"({"permanent":"yes"})", "payload.permanent must be true or false"}));

TEST(JobRegistryTest, EveryDefaultScheduleRunsARegisteredType) {
  FakeClock clock;
  JobRegistry r = Builtins(false, clock);
  for (const ScheduleConfig& s : DefaultSchedules())
    EXPECT_NE(r.Find(s.job_type), nullptr) << "schedule " << s.name << " -> " << s.job_type;
}

TEST(JobRegistryTest, PruneDeletesExpiredFinishedJobs) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ct_prune_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  FakeClock clock;
  BuiltinJobOptions o;
  o.scrape.config.store.database_url = "sqlite:" + (dir / "q.db").string();
  JobRegistry r;
  ASSERT_TRUE(RegisterBuiltinJobs(r, o, clock).ok());
  {
    auto queue = OpenJobQueue(o.scrape.config, clock);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    EnqueueRequest req;
    req.type = "backup";
    ASSERT_TRUE((*queue)->Enqueue(req).ok());
    const std::string types[] = {"backup"};
    auto leases = (*queue)->Claim("w", 1, types, 30'000);
    ASSERT_TRUE(leases.ok() && leases->size() == 1);
    ASSERT_TRUE((*queue)->Complete((*leases)[0], "{}").ok());
  }
  std::atomic<bool> cancel{false};
  JobContext ctx("p1", "prune", "{}", 1, nullptr, &cancel);
  auto kept = r.Find("prune")->handler(ctx);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(*kept, R"({"pruned":0})") << "results are kept for their TTL";
  clock.AdvanceSeconds(8 * 24 * 3600);
  auto pruned = r.Find("prune")->handler(ctx);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, R"({"pruned":1})");
  std::filesystem::remove_all(dir);
}

TEST(JobRegistryTest, ScrapeOfAnUnknownSourceFailsPermanently) {
  // The scrape types themselves are tested in scrape_jobs_test (local replay server).
  FakeClock clock;
  JobRegistry r = Builtins(false, clock);
  EXPECT_NE(r.ValidatePayload("scrape", R"({"source":"myspace"})").message().find("unknown source 'myspace'"),
            std::string::npos);
  std::atomic<bool> cancel{false};
  JobContext ctx("j1", "scrape", R"({"source":"myspace"})", 1, nullptr, &cancel);
  Result<std::string> out = r.Find("scrape")->handler(ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_FALSE(out.status().transient());
  EXPECT_NE(out.status().message().find("unknown source 'myspace' (known: hackernews"), std::string::npos)
      << out.status().message();
}

TEST(JobProtocolTest, RoundTrips) {
  auto p = ParseChildLine(EncodeProgressLine({3, 10, "page \"3\""}));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(std::get<JobProgress>(*p), (JobProgress{3, 10, "page \"3\""}));
  auto r = ParseChildLine(EncodeResultLine(R"({"n":1})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<ChildResult>(*r).result_json, R"({"n":1})");
  auto e = ParseChildLine(EncodeErrorLine(Status::Unavailable("503"), 1500));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(std::get<ChildError>(*e).status, Status::Unavailable("503"));
  EXPECT_EQ(std::get<ChildError>(*e).retry_after_ms, 1500);
  EXPECT_FALSE(ParseChildLine("hello").ok());
  EXPECT_FALSE(ParseChildLine(R"({"progress":1,"result":{}})").ok());
}

}  // namespace
}  // namespace ct
