// A g2 source scraped end to end through the browser: ScrapeSession (as the scrape jobs and
// `complaints scrape` build it) -> Fetcher -> browser fetcher (real chromedriver + Chromium) ->
// the fixture replay's JavaScript-rendered review page -> g2 adapter -> analysis -> SQLite.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "jobs/process_group.h"
#include "sources/fixture_replay.h"
#include "sources/scrape_session.h"
#include "store/store.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

class G2BrowserTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(BecomeChildSubreaper().ok()); }

  void SetUp() override {
    // Short: Chromium puts its singleton socket under $TMPDIR, and a Unix socket path must fit
    // in 108 bytes.
    static int n = 0;
    dir_ = fs::temp_directory_path() / ("ct_g2b_" + std::to_string(getpid()) + "_" + std::to_string(++n));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tmp");
    // The browser's user-data-dirs go under $TMPDIR: ours, to see that none is left.
    setenv("TMPDIR", (dir_ / "tmp").c_str(), 1);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    unsetenv("TMPDIR");
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
    config_.browser.page_load_timeout_ms = 30'000;
    PointSourcesAtReplay(config_, server_->Url(""));
    for (SourceConfig& s : config_.sources) {
      if (s.kind == "g2") {
        s.enabled = true;
        g2_ = &s;
      }
    }
    ASSERT_NE(g2_, nullptr);
  }

  Result<std::unique_ptr<ScrapeSession>> Session() {
    ScrapeSessionOptions o;
    o.sleep = [](std::int64_t) { return Status::Ok(); };
    o.uniform01 = [] { return 0.5; };
    return ScrapeSession::Open(config_, {}, clock_, o);
  }

  fs::path dir_;
  FakeClock clock_{1'793'000'000'000'000};
  AppConfig config_;
  SourceConfig* g2_ = nullptr;
  std::unique_ptr<FixtureReplay> replay_;
  std::unique_ptr<testing::LocalHttpServer> server_;
};

TEST_F(G2BrowserTest, ScrapesTheRenderedReviewsIntoTheStore) {
  Start({});
  auto session = Session();
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto found = (*session)->FindSource("g2");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  auto r = (*session)->ScrapeSource(*g2_, (*session)->QueriesOf(*g2_, std::nullopt), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->total.pages, 1);
  EXPECT_EQ(r->total.fetched, 4);
  EXPECT_EQ(r->total.inserted, 4);

  auto stored = (*session)->store()->ListPosts(PostPageRequest{});
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->items.size(), 4u);
  int french = 0;
  for (const Post& p : stored->items) {
    EXPECT_EQ(p.source, "g2");
    ASSERT_TRUE(p.rating.has_value()) << p.external_id;
    if (p.external_id == "9011877") {
      EXPECT_DOUBLE_EQ(*p.rating, 1.5);
      EXPECT_EQ(p.language, "fr");
      EXPECT_TRUE(p.is_complaint) << p.content;
      ++french;
    }
  }
  EXPECT_EQ(french, 1);
  session->reset();  // the browser goes with the session
  EXPECT_TRUE(fs::is_empty(dir_ / "tmp")) << "a user-data-dir was left behind";
  // No process of the browser is left, not even a zombie re-parented to us (the subreaper).
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = ReadProcFile((entry.path() / "stat").string());
    const auto close = stat.rfind(')');
    long ppid = 0;
    char state = 0;
    if (close != std::string::npos &&
        std::sscanf(stat.c_str() + close + 1, " %c %ld", &state, &ppid) == 2) {
      EXPECT_NE(ppid, getpid()) << "child left: " << stat.substr(0, 60);
    }
  }
}

TEST_F(G2BrowserTest, ARedesignedPageFailsTheScrapePermanentlyNamingWhatIsMissing) {
  Start(ReplayFaults{.drift = true});
  auto session = Session();
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto r = (*session)->ScrapeSource(*g2_, {"ovhcloud"}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status().ToString();
  EXPECT_NE(r.status().message().find("parse drift in g2 (g2): no review elements"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace ct
