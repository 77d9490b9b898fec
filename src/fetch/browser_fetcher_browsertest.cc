// The browser fetcher with the real chromedriver and Chromium (Debian's chromium and
// chromium-driver; a missing binary fails these tests), against the fixture replay server: a
// page whose JavaScript renders the reviews, a page that never finishes loading, a cancel
// mid-load, retirement by page count and by memory. After each, no process of the browser's
// group is left, and no process uses one of the test's user-data-dirs.
#include "fetch/browser_fetcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>

#include "jobs/process_group.h"
#include "sources/fixture_replay.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

// Pids whose command line mentions `marker` (our user-data-dirs' parent), from /proc.
std::vector<pid_t> ProcessesMentioning(const std::string& marker) {
  std::vector<pid_t> out;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string cmdline = ReadProcFile((entry.path() / "cmdline").string());
    if (cmdline.find(marker) == std::string::npos) continue;
    const std::string line = ReadProcFile((entry.path() / "stat").string());
    const auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z') continue;
    out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

// Our child processes, zombies included: anything Chromium started outside its group (e.g. a
// crash handler in a session of its own) is re-parented to us, the subreaper.
std::vector<pid_t> OurChildren() {
  std::vector<pid_t> out;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = ReadProcFile((entry.path() / "stat").string());
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    long ppid = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %ld", &state, &ppid) == 2 && ppid == getpid())
      out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

class BrowserFetcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(BecomeChildSubreaper().ok()); }

  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ct_browser_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    replay_ = std::make_unique<FixtureReplay>(CT_SOURCE_DIR "/tests/fixtures/sources", ReplayFaults{});
    server_ = std::make_unique<testing::LocalHttpServer>([this](const testing::ServerRequest& r) {
      if (r.path == "/browser/hang") hang_requested_.set_value_if_first();
      return replay_->Handle(r);
    });
    ASSERT_TRUE(server_->Start().ok());
    options_.temp_dir = dir_.string();
    options_.guard = *SsrfGuard::FromStrings({"127.0.0.1/32"});
    options_.page_load_timeout_ms = 30'000;
  }

  void TearDown() override {
    if (server_) server_->Stop();
    fs::remove_all(dir_);
  }

  // Nothing of the browser whose group was `pgid` survives, and no user-data-dir is left.
  void ExpectNothingLeft(pid_t pgid) {
    ASSERT_GT(pgid, 0);
    EXPECT_EQ(ProcessesInGroup(pgid, /*include_zombies=*/false), std::vector<pid_t>{})
        << "processes left in the browser's group " << pgid;
    EXPECT_EQ(ProcessesMentioning(dir_.string()), std::vector<pid_t>{})
        << "processes still using a user-data-dir under " << dir_;
    EXPECT_TRUE(fs::is_empty(dir_)) << "a user-data-dir was not removed";
    // Nothing escaped the group, and no zombie is left: Chromium's orphans are re-parented to
    // us (a subreaper) and must be reaped.
    for (pid_t c : OurChildren())
      ADD_FAILURE() << "child left: " << ReadProcFile("/proc/" + std::to_string(c) + "/stat").substr(0, 60);
  }

  struct OncePromise {
    std::promise<void> promise;
    std::once_flag once;
    void set_value_if_first() { std::call_once(once, [this] { promise.set_value(); }); }
  };

  fs::path dir_;
  std::unique_ptr<FixtureReplay> replay_;
  std::unique_ptr<testing::LocalHttpServer> server_;
  OncePromise hang_requested_;
  BrowserOptions options_;
};

TEST_F(BrowserFetcherTest, DebianChromiumAndChromedriverAreInstalled) {
  // A missing browser fails the browser tests: it is never a skip.
  EXPECT_EQ(access(options_.chromium_path.c_str(), X_OK), 0) << options_.chromium_path;
  EXPECT_EQ(access(options_.chromedriver_path.c_str(), X_OK), 0) << options_.chromedriver_path;
}

TEST_F(BrowserFetcherTest, GetsTheReviewsThatJavaScriptRenders) {
  const std::string url = server_->Url("/g2/products/ovhcloud/reviews");
  // A plain HTTP fetch of the page has no review in it.
  HttpClientOptions http_options;
  http_options.guard = options_.guard;
  auto plain = MakeCurlHttpClient(http_options)->Send({.url = url});
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->body.find("itemprop=\"review\""), std::string::npos);

  options_.selector_settle_ms = 500;
  BrowserFetcher browser(options_);
  auto page = browser.Load({.url = url, .wait_for_selector = "[itemprop='review']"});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(page->selector_found);
  EXPECT_NE(page->source.find("survey-response-9012345"), std::string::npos);
  EXPECT_NE(page->source.find("Panne de stockage et facturation"), std::string::npos);
  EXPECT_EQ(page->source.find("Loading reviews"), std::string::npos);
  EXPECT_EQ(page->final_url, url);
  EXPECT_EQ(browser.stats().pages_loaded, 1);
  EXPECT_EQ(browser.stats().browsers_started, 1);
  const pid_t pgid = browser.pgid();
  ASSERT_GT(pgid, 0);
  EXPECT_EQ(getpgid(pgid), pgid);  // chromedriver leads a group of its own
  EXPECT_NE(pgid, getpgrp());
  EXPECT_GT(browser.GroupRssBytes(), 0);
  EXPECT_TRUE(fs::is_empty(dir_)) << "the page's user-data-dir was not removed";

  // Without a selector it waits for document.readyState == "complete".
  auto plain_page = browser.Load({.url = server_->Url("/g2/rendered/reviews.html")});
  ASSERT_TRUE(plain_page.ok()) << plain_page.status().ToString();
  EXPECT_NE(plain_page->source.find("survey-response-9009311"), std::string::npos);
  EXPECT_EQ(browser.stats().browsers_started, 1);  // the same browser served both pages

  // A selector that a finished page never matches: the page comes back after the settle time
  // (for its adapter to call drift), rather than a timeout.
  auto changed = browser.Load({.url = server_->Url("/g2/rendered/reviews.html"),
                               .wait_for_selector = "#a-redesigned-layout"});
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_FALSE(changed->selector_found);
  EXPECT_NE(changed->source.find("survey-response-9009311"), std::string::npos);
  EXPECT_EQ(browser.stats().browsers_started, 1);

  browser.Shutdown();
  ExpectNothingLeft(pgid);
}

TEST_F(BrowserFetcherTest, APageThatNeverFinishesLoadingTimesOutAndItsGroupIsKilled) {
  options_.page_load_timeout_ms = 3'000;
  BrowserFetcher browser(options_);
  const std::string url = server_->Url("/browser/never-loads");
  auto page = browser.Load({.url = url});  // waits for readyState "complete", which never comes
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kDeadlineExceeded) << page.status().ToString();
  EXPECT_TRUE(page.status().transient());
  EXPECT_NE(page.status().message().find(url + " not loaded within 3000 ms"), std::string::npos)
      << page.status().message();
  EXPECT_NE(page.status().message().find("document.readyState"), std::string::npos);
  EXPECT_EQ(browser.pgid(), 0);
  EXPECT_EQ(browser.stats().browsers_killed, 1);
  ExpectNothingLeft(browser.stats().last_pgid);

  // A selector that never appears, on the same kind of page: the same.
  const pid_t first = browser.stats().last_pgid;
  auto again = browser.Load({.url = url, .wait_for_selector = "#reviews", .timeout_ms = 2'000});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(again.status().message().find("selector '#reviews'"), std::string::npos)
      << again.status().message();
  EXPECT_NE(browser.stats().last_pgid, first);  // a new browser was started
  ExpectNothingLeft(browser.stats().last_pgid);
}

TEST_F(BrowserFetcherTest, CancelMidLoadKillsTheGroup) {
  std::atomic<bool> cancel{false};
  options_.cancelled = [&cancel] { return cancel.load(); };
  BrowserFetcher browser(options_);
  auto result = std::async(std::launch::async, [&] {
    return browser.Load({.url = server_->Url("/browser/never-loads")});
  });
  // Cancel once the browser is inside the page (it asked for the image that never comes).
  hang_requested_.promise.get_future().wait();
  cancel = true;
  auto page = result.get();
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kAborted) << page.status().ToString();
  EXPECT_NE(page.status().message().find("cancelled while loading"), std::string::npos);
  EXPECT_EQ(browser.stats().browsers_killed, 1);
  ExpectNothingLeft(browser.stats().last_pgid);

  // Still cancelled: the next Load does not even start a browser.
  auto next = browser.Load({.url = server_->Url("/g2/rendered/reviews.html")});
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kAborted);
  EXPECT_EQ(browser.stats().browsers_started, 1);
}

TEST_F(BrowserFetcherTest, RetiredAfterNPagesAndRestarted) {
  options_.max_pages_per_browser = 2;
  BrowserFetcher browser(options_);
  const std::string url = server_->Url("/g2/rendered/reviews.html");
  ASSERT_TRUE(browser.Load({.url = url}).ok());
  const pid_t first = browser.pgid();
  ASSERT_TRUE(browser.Load({.url = url}).ok());
  EXPECT_EQ(browser.pgid(), 0);  // retired after its second page
  EXPECT_EQ(browser.stats().browsers_retired, 1);
  EXPECT_EQ(browser.stats().last_retire_reason, "served 2 pages");
  ExpectNothingLeft(first);
  auto third = browser.Load({.url = url});
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(browser.stats().browsers_started, 2);
  EXPECT_NE(browser.pgid(), first);
  EXPECT_EQ(browser.stats().pages_loaded, 3);
  const pid_t second = browser.pgid();
  browser.Shutdown();
  ExpectNothingLeft(second);
}

TEST_F(BrowserFetcherTest, RetiredWhenTheGroupOutgrowsItsMemoryLimit) {
  options_.max_group_rss_bytes = 1 << 20;  // 1 MiB: any real browser is over it
  BrowserFetcher browser(options_);
  auto page = browser.Load({.url = server_->Url("/g2/rendered/reviews.html")});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(browser.pgid(), 0);
  EXPECT_EQ(browser.stats().browsers_retired, 1);
  EXPECT_NE(browser.stats().last_retire_reason.find("RSS"), std::string::npos)
      << browser.stats().last_retire_reason;
  EXPECT_GT(browser.stats().peak_group_rss_bytes, 1 << 20);
  ExpectNothingLeft(browser.stats().last_pgid);
}

TEST_F(BrowserFetcherTest, TheSsrfGuardAndTheUrlAreCheckedBeforeAnyBrowserStarts) {
  options_.guard = SsrfGuard();  // loopback not allowlisted
  BrowserFetcher browser(options_);
  auto refused = browser.Load({.url = server_->Url("/g2/rendered/reviews.html")});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("127.0.0.1"), std::string::npos);
  auto file = browser.Load({.url = "file:///etc/passwd"});
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(browser.stats().browsers_started, 0);
  EXPECT_EQ(browser.pgid(), 0);
}

TEST_F(BrowserFetcherTest, AMissingChromedriverIsAClearPermanentError) {
  options_.chromedriver_path = "/nonexistent/chromedriver";
  BrowserFetcher browser(options_);
  auto page = browser.Load({.url = server_->Url("/g2/rendered/reviews.html")});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(page.status().transient());
  EXPECT_NE(page.status().message().find("apt-get install chromium-driver"), std::string::npos);
}

}  // namespace
}  // namespace ct
