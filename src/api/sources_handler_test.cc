#include "api/sources_handler.h"

#include <nlohmann/json.hpp>

#include "api/api_test_fixture.h"
#include "core/time_format.h"
#include "sources/source_state.h"

namespace ct::testing {
namespace {

using nlohmann::json;

class SourcesApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    SourceConfig reddit;
    reddit.name = "reddit";
    reddit.kind = "reddit";
    reddit.queries = {"ovh", "ovhcloud"};
    SourceConfig tp;
    tp.name = "trustpilot";
    tp.kind = "trustpilot";
    tp.queries = {"ovhcloud.com"};
    tp.schedule = "*/30 * * * *";
    SourceConfig nitter;
    nitter.name = "nitter";
    nitter.kind = "nitter";
    nitter.enabled = false;
    deps_.sources = {reddit, tp, nitter};
    deps_.state_path = (dir_ / "source_state.json").string();
    StartServer([this](ApiServer& s) {
      ASSERT_TRUE(RegisterSourceRoutes(s.router(), s.context(), deps_).ok());
    });
  }
  SourcesDeps deps_;
};

TEST_F(SourcesApiTest, ListsEachSourceWithStateBreakerAndPosts) {
  Seed(6);  // 3 reddit, 3 trustpilot
  const std::int64_t now = clock_.NowSeconds();
  SourceStateFile state(deps_.state_path);
  ASSERT_TRUE(state.Update("reddit", [&](SourceState& s) {
    s.queries["ovh"].cursor = 1'747'213'964;
    s.queries["ovh"].last_run = now - 60;
    s.queries["ovh"].last_success = now - 60;
    s.queries["ovhcloud"].last_run = now - 30;
    s.queries["ovhcloud"].last_error = "RESOURCE_EXHAUSTED: HTTP 429 from reddit";
    s.breaker = BreakerSnapshot{BreakerState::kOpen, 5, clock_.NowMillis() + 60'000, "HTTP 429"};
  }).ok());
  ASSERT_TRUE(state.Update("trustpilot", [&](SourceState& s) {
    s.queries["ovhcloud.com"].last_run = now - 10;
    s.queries["ovhcloud.com"].last_success = now - 10;
    s.breaker = BreakerSnapshot{BreakerState::kOpen, 5, clock_.NowMillis() - 1, "old"};
  }).ok());

  auto r = Get("/sources");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json::parse(r.body);
  ASSERT_EQ(j["sources"].size(), 3u);
  const json& reddit = j["sources"][0];
  EXPECT_EQ(reddit["name"], "reddit");
  EXPECT_EQ(reddit["kind"], "reddit");
  EXPECT_EQ(reddit["enabled"], true);
  EXPECT_EQ(reddit["posts"], 3);
  ASSERT_EQ(reddit["queries"].size(), 2u);
  EXPECT_EQ(reddit["queries"][0]["query"], "ovh");
  EXPECT_EQ(reddit["queries"][0]["cursor"], "2025-05-14T09:12:44Z");
  EXPECT_EQ(reddit["queries"][1]["cursor"], nullptr);
  EXPECT_EQ(reddit["last_success"], FormatIso8601(now - 60));
  EXPECT_EQ(reddit["last_error"], "RESOURCE_EXHAUSTED: HTTP 429 from reddit");  // the latest run failed
  EXPECT_EQ(reddit["breaker"]["state"], "open");
  EXPECT_EQ(reddit["breaker"]["consecutive_failures"], 5);

  const json& tp = j["sources"][1];
  EXPECT_EQ(tp["posts"], 3);
  EXPECT_EQ(tp["schedule"], "*/30 * * * *");
  EXPECT_EQ(tp["last_error"], nullptr);
  EXPECT_EQ(tp["breaker"]["state"], "half_open");  // cool-down over: the next request probes

  const json& nitter = j["sources"][2];
  EXPECT_EQ(nitter["enabled"], false);
  EXPECT_EQ(nitter["posts"], 0);
  EXPECT_EQ(nitter["last_run"], nullptr);
  EXPECT_EQ(nitter["breaker"]["state"], "closed");

  auto metrics = Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("complaints_source_breaker_open{source=\"reddit\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("complaints_source_breaker_open{source=\"trustpilot\"} 0"), std::string::npos);
  EXPECT_NE(metrics.body.find("complaints_source_breaker_open{source=\"nitter\"} 0"), std::string::npos);
  EXPECT_NE(metrics.body.find("complaints_source_last_success_timestamp_seconds{source=\"reddit\"} " +
                              std::to_string(now - 60)),
            std::string::npos);
  EXPECT_EQ(metrics.body.find("complaints_source_last_success_timestamp_seconds{source=\"nitter\"}"),
            std::string::npos) << "absent until a first success";
  EXPECT_NE(metrics.body.find("complaints_source_failing_queries{source=\"reddit\"} 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("complaints_source_failing_queries{source=\"trustpilot\"} 0"),
            std::string::npos);
}

TEST_F(SourcesApiTest, NoStateFileYet) {
  auto r = Get("/sources");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["sources"][0]["queries"][0]["last_run"], nullptr);
  EXPECT_EQ(j["sources"][0]["breaker"]["state"], "closed");
}

}  // namespace
}  // namespace ct::testing
