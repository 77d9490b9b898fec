// Every configured source, pointed at the fixture replay server, scrapes its fixtures: the
// paths the adapters request and the replay's routes agree (what `complaints demo` relies on).
#include "sources/fixture_replay.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/clock.h"
#include "sources/scrape_session.h"
#include "store/store.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

class FixtureReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ct_replay_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    fs::remove_all(dir_);
  }
  void Start(ReplayFaults faults) {
    replay_ = std::make_unique<FixtureReplay>(CT_SOURCE_DIR "/tests/fixtures/sources", faults);
    server_ = std::make_unique<testing::LocalHttpServer>(
        [this](const testing::ServerRequest& r) { return replay_->Handle(r); });
    ASSERT_TRUE(server_->Start().ok());
    config_.data_dir = dir_.string();
    config_.store.database_url = "sqlite:" + (dir_ / "posts.db").string();
    config_.fetch.allow_networks = {"127.0.0.1/32"};
    config_.fetch.host_requests_per_second = 1000;
    PointSourcesAtReplay(config_, server_->Url(""));
    for (SourceConfig& s : config_.sources) {
      s.requests_per_minute = 6000;
      s.burst = 100;
    }
  }
  Result<std::unique_ptr<ScrapeSession>> Session() {
    ScrapeSessionOptions o;
    o.sleep = [this](std::int64_t ms) {
      clock_.AdvanceMicros(ms * 1000);
      return Status::Ok();
    };
    o.uniform01 = [] { return 0.5; };
    return ScrapeSession::Open(config_, {}, clock_, o);
  }

  fs::path dir_;
  FakeClock clock_{1'747'300'000'000'000};
  AppConfig config_;
  std::unique_ptr<FixtureReplay> replay_;
  std::unique_ptr<testing::LocalHttpServer> server_;
};

TEST_F(FixtureReplayTest, EverySourceScrapesItsFixtures) {
  Start({});
  auto session = Session();
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  int scraped = 0;
  for (const SourceConfig& s : config_.sources) {
    if (!s.enabled) continue;
    auto found = (*session)->FindSource(s.name);
    if (!found.ok()) continue;  // g2: no adapter yet
    auto r = (*session)->ScrapeSource(s, (*session)->QueriesOf(s, std::nullopt), {});
    ASSERT_TRUE(r.ok()) << s.name << ": " << r.status().ToString();
    EXPECT_GT(r->total.fetched, 0) << s.name;
    ++scraped;
  }
  EXPECT_EQ(scraped, 11);  // 9 built-in sources (g2 aside) + rss_feed + hosting_forum
  auto page = (*session)->store()->ListPosts(PostPageRequest{});
  ASSERT_TRUE(page.ok());
  EXPECT_GT(page->items.size(), 20u);
}

TEST_F(FixtureReplayTest, InjectedFaultsReachTheScraper) {
  Start(ReplayFaults{.throttle_rate = 1, .retry_after_s = 45});
  auto session = Session();
  ASSERT_TRUE(session.ok());
  FetchTrace trace;
  auto r = (*session)->ScrapeSource(*(*session)->FindSource("hackernews").value(), {"ovh"}, {}, &trace);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_GE(trace.retry_after_ms.value_or(0), 45'000);

  server_->Stop();
  fs::remove(dir_ / "source_state.json");  // forget the circuit the 429 opened
  Start(ReplayFaults{.drift = true});
  auto drift = (*Session())->ScrapeSource(*config_.sources.data(), {"ovh"}, {});
  ASSERT_FALSE(drift.ok());
  EXPECT_EQ(drift.status().code(), StatusCode::kDataLoss);
}

TEST_F(FixtureReplayTest, FaultSpecParsing) {
  auto f = ParseReplayFaults("error=0.1,throttle=0.05,slow=0.2,delay_ms=500,drift=1,seed=9");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->error_rate, 0.1);
  EXPECT_EQ(f->delay_ms, 500);
  EXPECT_TRUE(f->drift);
  EXPECT_EQ(f->seed, 9u);
  EXPECT_TRUE(ParseReplayFaults("").ok());
  EXPECT_NE(ParseReplayFaults("error=2").status().message().find("error=2"), std::string::npos);
  EXPECT_FALSE(ParseReplayFaults("colour=1").ok());
}

}  // namespace
}  // namespace ct
