// The scrape pipeline end to end: a local server replays the fixtures (with faults), the real
// Fetcher, adapters, Analyzer and a SQLite Store.
#include "sources/scraper.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/analyzer.h"
#include "core/clock.h"
#include "core/config.h"
#include "fetch/testing/local_http_server.h"
#include "sources/fixture_replay.h"
#include "store/store.h"

namespace ct {
namespace {

using testing::LocalHttpServer;
using testing::ServerReply;
using testing::ServerRequest;

std::string Fixture(const std::string& rel) {
  std::ifstream in(std::string(CT_SOURCE_DIR) + "/tests/fixtures/sources/" + rel, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ScraperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("scraper_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    server_ = std::make_unique<LocalHttpServer>([this](const ServerRequest& r) {
      std::lock_guard lock(mu_);
      targets_.push_back(r.target);
      return route_(r);
    });
    ASSERT_TRUE(server_->Start().ok());
    HttpClientOptions o;
    o.guard = SsrfGuard::FromStrings({"127.0.0.1/32"}).value();
    client_ = MakeCurlHttpClient(o);
    FetcherOptions fo;
    fo.host_requests_per_second = 1000;
    fo.default_limits = {.requests_per_minute = 6000, .burst = 100, .max_attempts = 3,
                         .breaker = {.failure_threshold = 3, .cooldown_ms = 60'000}};
    fetcher_ = std::make_unique<Fetcher>(
        *client_, clock_, [this](std::int64_t ms) { clock_.AdvanceMicros(ms * 1000); return Status::Ok(); },
        [] { return 0.5; }, fo);
    StoreConfig sc;
    sc.database_url = "sqlite:" + (dir_ / "posts.db").string();
    auto store = OpenStore(sc, clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    auto taxonomy = Taxonomy::Embedded();
    ASSERT_TRUE(taxonomy.ok());
    auto analyzer = Analyzer::Create(AnalyzerOptions{}, std::move(taxonomy).value());
    ASSERT_TRUE(analyzer.ok());
    analyzer_ = std::move(analyzer).value();
    state_ = std::make_unique<SourceStateFile>((dir_ / "source_state.json").string());
    scraper_ = std::make_unique<Scraper>(registry_, *fetcher_, analyzer_.get(), store_.get(), *state_, clock_);
  }
  void TearDown() override {
    server_->Stop();
    std::filesystem::remove_all(dir_);
  }

  SourceSpec Spec(const std::string& kind) {
    SourceSpec s;
    s.name = kind;
    s.kind = kind;
    s.base_url = server_->Url("");
    s.page_size = 3;
    return s;
  }

  std::filesystem::path dir_;
  FakeClock clock_{1'747'300'000'000'000};
  std::mutex mu_;
  std::vector<std::string> targets_;
  std::function<ServerReply(const ServerRequest&)> route_;
  std::unique_ptr<LocalHttpServer> server_;
  std::unique_ptr<HttpClient> client_;
  std::unique_ptr<Fetcher> fetcher_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Analyzer> analyzer_;
  std::unique_ptr<SourceStateFile> state_;
  SourceRegistry registry_ = SourceRegistry::Builtin();
  std::unique_ptr<Scraper> scraper_;
};

ServerReply HackerNewsRoute(const ServerRequest& r) {
  if (r.path != "/api/v1/search_by_date") return {.status = 404};
  return {.headers = {{"Content-Type", "application/json"}},
          .body = Fixture(r.Param("page") == "1" ? "hackernews/page2.json"
                                                 : "hackernews/search_by_date.json")};
}

TEST_F(ScraperTest, FetchesParsesAnalysesAndStoresThenStopsAtKnownItems) {
  route_ = HackerNewsRoute;
  std::vector<ScrapeProgress> progress;
  auto r = scraper_->Run(Spec("hackernews"), "ovh",
                         {.progress = [&](const ScrapeProgress& p) { progress.push_back(p); }});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->pages, 2);
  EXPECT_EQ(r->fetched, 5);
  EXPECT_EQ(r->inserted, 5);
  ASSERT_EQ(progress.size(), 2u);
  EXPECT_EQ(progress[1].items, 5);
  EXPECT_EQ(nlohmann::json::parse(r->ToJson())["new"], 5);

  auto stored = store_->ListPosts(PostPageRequest{});
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->items.size(), 5u);
  for (const Post& p : stored->items) {
    EXPECT_EQ(p.source, "hackernews");
    EXPECT_FALSE(p.sentiment_label.empty()) << "analysed";
  }
  auto state = state_->Load("hackernews");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->queries["ovh"].cursor.value_or(0), 1747213964);

  // Second run: the request carries the cursor; the replayed page only holds known items, so
  // paging stops after one page and nothing new is stored.
  targets_.clear();
  auto again = scraper_->Run(Spec("hackernews"), "ovh");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->pages, 1);
  EXPECT_EQ(again->inserted, 0);
  EXPECT_EQ(again->duplicates, 3);
  ASSERT_EQ(targets_.size(), 1u);
  EXPECT_NE(targets_[0].find("numericFilters=created_at_i%3E1747213964"), std::string::npos);
}

TEST_F(ScraperTest, DriftFailsPermanentlyAndKeepsTheCursor) {
  route_ = HackerNewsRoute;
  ASSERT_TRUE(scraper_->Run(Spec("hackernews"), "ovh").ok());
  route_ = [](const ServerRequest&) { return ServerReply{.body = Fixture("hackernews/drift.json")}; };
  clock_.AdvanceSeconds(3600);
  auto r = scraper_->Run(Spec("hackernews"), "ovh");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("parse drift in hackernews (hackernews): missing array 'response.hits'"),
            std::string::npos) << r.status().message();
  auto state = state_->Load("hackernews");
  EXPECT_EQ(state->queries["ovh"].cursor.value_or(0), 1747213964);
  EXPECT_NE(state->queries["ovh"].last_error.find("parse drift"), std::string::npos);
}

TEST_F(ScraperTest, MalformedJsonAndTruncatedBodiesStoreNothing) {
  route_ = [](const ServerRequest&) { return ServerReply{.body = "{\"hits\":[{\"objectID\":"}; };
  auto bad = scraper_->Run(Spec("hackernews"), "ovh");
  EXPECT_EQ(bad.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(bad.status().message().find("not valid JSON"), std::string::npos);
  route_ = [](const ServerRequest&) {
    return ServerReply{.body = Fixture("hackernews/search_by_date.json"), .truncate_at = 200};
  };
  FetchTrace trace;
  auto cut = scraper_->Run(Spec("hackernews"), "ovh", {}, &trace);
  EXPECT_EQ(cut.status().code(), StatusCode::kUnavailable) << cut.status().ToString();
  EXPECT_TRUE(cut.status().transient());
  EXPECT_EQ(trace.attempts, 3);
  EXPECT_EQ(store_->ListPosts(PostPageRequest{})->items.size(), 0u);
}

TEST_F(ScraperTest, AFailingLaterPageLeavesTheEarlierPagesStored) {
  // Posts are upserted in batches across pages; an error must still store what came before it.
  route_ = [](const ServerRequest& r) {
    if (r.Param("page") == "1") return ServerReply{.status = 404};
    return HackerNewsRoute(r);
  };
  auto r = scraper_->Run(Spec("hackernews"), "ovh");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
  EXPECT_EQ(store_->ListPosts(PostPageRequest{})->items.size(), 3u);
  EXPECT_FALSE(state_->Load("hackernews")->queries["ovh"].cursor.has_value())
      << "the cursor moves only when the whole run succeeded";
}

TEST_F(ScraperTest, RepeatedServerErrorsOpenThePersistedBreaker) {
  route_ = [](const ServerRequest&) { return ServerReply{.status = 503}; };
  FetchTrace trace;
  auto r = scraper_->Run(Spec("stackexchange"), "ovh", {}, &trace);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(trace.retry_after_ms.has_value());
  auto state = state_->Load("stackexchange");
  ASSERT_TRUE(state->breaker.has_value());
  EXPECT_EQ(state->breaker->state, BreakerState::kOpen);
}

TEST_F(ScraperTest, TooManyRequestsIsTransientWithRetryAfter) {
  route_ = [](const ServerRequest&) {
    return ServerReply{.status = 429, .headers = {{"Retry-After", "90"}}};
  };
  FetchTrace trace;
  auto r = scraper_->Run(Spec("reddit"), "ovh", {}, &trace);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_GE(trace.retry_after_ms.value_or(0), 90'000);
}

TEST_F(ScraperTest, ConditionalRequestsEndOnNotModified) {
  route_ = [](const ServerRequest& r) {
    if (r.Header("if-none-match") == "\"feed-v1\"") return ServerReply{.status = 304};
    return ServerReply{.headers = {{"Content-Type", "application/rss+xml"}, {"ETag", "\"feed-v1\""}},
                       .body = Fixture("rss/feed.xml")};
  };
  SourceSpec spec = Spec("rss");
  spec.base_url = server_->Url("/feed.xml");
  auto first = scraper_->Run(spec, "");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->inserted, 2);
  auto second = scraper_->Run(spec, "");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->not_modified);
  EXPECT_EQ(second->pages, 0);
}

TEST_F(ScraperTest, DryRunStoresNothing) {
  route_ = [](const ServerRequest&) { return ServerReply{.body = Fixture("trustpilot/review_page.html")}; };
  SourceSpec spec = Spec("trustpilot");
  spec.max_pages = 1;
  auto r = scraper_->Run(spec, "ovhcloud.com", {.dry_run = true});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 3u);
  EXPECT_EQ(r->posts[0].rating, 1.0);
  EXPECT_EQ(r->posts[1].country, "FR");  // analysis reads the reviewer country
  EXPECT_EQ(store_->ListPosts(PostPageRequest{})->items.size(), 0u);
}

TEST_F(ScraperTest, RedirectToPrivateAddressIsRefused) {
  route_ = [](const ServerRequest&) {
    return ServerReply{.status = 302, .headers = {{"Location", "http://169.254.169.254/latest/meta-data/"}}};
  };
  auto r = scraper_->Run(Spec("hackernews"), "ovh");
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("cloud metadata"), std::string::npos);
}

// Reddit: the RSS feed when the JSON listing is refused or unusable.

// What Reddit answers a client it blocks: an HTML page, not JSON.
constexpr char kRedditBlockPage[] =
    "<!doctype html><html><head><title>Blocked</title></head><body>whoa there, pardner! Your "
    "request has been blocked due to a network policy.</body></html>";

ServerReply RedditRssOnly(const ServerRequest& r) {
  if (r.path == "/search.json")
    return {.status = 403, .headers = {{"Content-Type", "text/html"}}, .body = kRedditBlockPage};
  if (r.path == "/search.rss")
    return {.headers = {{"Content-Type", "application/atom+xml"}}, .body = Fixture("reddit/search.rss")};
  return {.status = 404};
}

TEST_F(ScraperTest, RedditBlockedJsonFallsBackToRssAndTheCursorHolds) {
  route_ = RedditRssOnly;
  std::vector<std::string> messages;
  auto r = scraper_->Run(Spec("reddit"), "ovh",
                         {.progress = [&](const ScrapeProgress& p) { messages.push_back(p.message); }});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->pages, 1);
  EXPECT_EQ(r->inserted, 1);
  EXPECT_EQ(r->fallback.rfind("rss: ", 0), 0u) << r->fallback;
  EXPECT_NE(r->fallback.find("HTTP 403"), std::string::npos) << r->fallback;
  EXPECT_EQ(nlohmann::json::parse(r->ToJson())["fallback"], r->fallback);
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages[0].rfind("falling back to rss: ", 0), 0u) << messages[0];
  ASSERT_EQ(targets_.size(), 2u);
  EXPECT_EQ(targets_[0].rfind("/search.json?q=ovh", 0), 0u) << targets_[0];
  EXPECT_EQ(targets_[1], "/search.rss?q=ovh&sort=new");

  auto stored = store_->ListPosts(PostPageRequest{});
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->items.size(), 1u);
  EXPECT_EQ(stored->items[0].external_id, "t3_1kqa001");
  EXPECT_EQ(stored->items[0].title, "OVH RBX down again?");
  EXPECT_FALSE(stored->items[0].sentiment_label.empty()) << "analysed";
  EXPECT_EQ(state_->Load("reddit")->queries["ovh"].cursor.value_or(0), 1747210000);

  // While the 403 keeps the listing's circuit open, runs go straight to the feed, and the
  // cursor (set through the feed) marks its item as known.
  targets_.clear();
  auto again = scraper_->Run(Spec("reddit"), "ovh");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->inserted, 0);
  EXPECT_EQ(again->duplicates, 1);
  EXPECT_NE(again->fallback.find("circuit open"), std::string::npos) << again->fallback;
  ASSERT_EQ(targets_.size(), 1u);
  EXPECT_EQ(targets_[0], "/search.rss?q=ovh&sort=new");

  // The listing is back after the cool-down: the same cursor stops it at the known post, and
  // the post the feed brought is not stored twice.
  route_ = [](const ServerRequest&) {
    return ServerReply{.headers = {{"Content-Type", "application/json"}},
                       .body = Fixture("reddit/search.json")};
  };
  clock_.AdvanceSeconds(120);
  auto json_again = scraper_->Run(Spec("reddit"), "ovh");
  ASSERT_TRUE(json_again.ok()) << json_again.status().ToString();
  EXPECT_TRUE(json_again->fallback.empty()) << json_again->fallback;
  EXPECT_TRUE(nlohmann::json::parse(json_again->ToJson())["fallback"].is_null());
  EXPECT_EQ(json_again->pages, 1);
  EXPECT_EQ(json_again->inserted, 0);
  EXPECT_EQ(json_again->duplicates, 2);
  EXPECT_EQ(store_->ListPosts(PostPageRequest{})->items.size(), 1u);
}

TEST_F(ScraperTest, RedditThrottledOrNonJsonListingFallsBackToRss) {
  for (const ServerReply& listing :
       {ServerReply{.status = 429, .headers = {{"Retry-After", "600"}}, .body = kRedditBlockPage},
        ServerReply{.headers = {{"Content-Type", "text/html"}}, .body = kRedditBlockPage},
        ServerReply{.headers = {{"Content-Type", "application/json"}},
                    .body = "{\"kind\":\"Listing\",\"data\":{\"children\":[{\"da"}}) {
    route_ = [&](const ServerRequest& r) {
      if (r.path == "/search.json") return listing;
      return RedditRssOnly(r);
    };
    SourceSpec spec = Spec("reddit");
    spec.name = "reddit_" + std::to_string(listing.status) + "_" + std::to_string(listing.body.size());
    FetchTrace trace;
    auto r = scraper_->Run(spec, "ovh", {.dry_run = true}, &trace);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->posts.size(), 1u) << listing.body;
    EXPECT_EQ(r->posts[0].external_id, "t3_1kqa001");
    EXPECT_EQ(r->fallback.rfind("rss: ", 0), 0u) << r->fallback;
    EXPECT_FALSE(trace.retry_after_ms.has_value()) << "the run succeeded: nothing to retry";
  }
}

TEST_F(ScraperTest, RedditDriftFromTheReplayServerFallsBackInsteadOfAnEmptyResult) {
  FixtureReplay replay(std::string(CT_SOURCE_DIR) + "/tests/fixtures/sources",
                       ReplayFaults{.drift = true});
  route_ = [&](const ServerRequest& r) {
    ServerRequest routed = r;
    routed.path = "/reddit" + r.path;
    return replay.Handle(routed);
  };
  auto r = scraper_->Run(Spec("reddit"), "ovh");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->fetched, 1);
  EXPECT_EQ(r->inserted, 1);
  EXPECT_NE(r->fallback.find("parse drift in reddit (reddit): missing array 'data.children'"),
            std::string::npos) << r->fallback;
  EXPECT_EQ(replay.served(), 2);
}

TEST_F(ScraperTest, RedditListingAndFeedBothFailingIsOneClearError) {
  // Both blocked: permanent, naming both.
  route_ = [](const ServerRequest&) {
    return ServerReply{.status = 403, .headers = {{"Content-Type", "text/html"}}, .body = kRedditBlockPage};
  };
  auto blocked = scraper_->Run(Spec("reddit"), "ovh");
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code(), StatusCode::kPermissionDenied);
  const std::string& m = blocked.status().message();
  EXPECT_NE(m.find("HTTP 403 from " + server_->Url("/search.json?q=ovh")), std::string::npos) << m;
  EXPECT_NE(m.find("; the rss fallback failed too: "), std::string::npos) << m;
  EXPECT_NE(m.find("HTTP 403 from " + server_->Url("/search.rss?q=ovh&sort=new")), std::string::npos) << m;
  EXPECT_NE(state_->Load("reddit")->queries["ovh"].last_error.find("rss fallback failed too"),
            std::string::npos);

  // Throttled listing, drifted feed: transient, with the listing's Retry-After.
  route_ = [](const ServerRequest& r) {
    if (r.path == "/search.json") return ServerReply{.status = 429, .headers = {{"Retry-After", "300"}}};
    return ServerReply{.headers = {{"Content-Type", "text/html"}}, .body = kRedditBlockPage};
  };
  SourceSpec spec = Spec("reddit");
  spec.name = "reddit_throttled";
  FetchTrace trace;
  auto throttled = scraper_->Run(spec, "ovh", {}, &trace);
  ASSERT_FALSE(throttled.ok());
  EXPECT_EQ(throttled.status().code(), StatusCode::kResourceExhausted) << throttled.status().ToString();
  EXPECT_TRUE(throttled.status().transient());
  EXPECT_GE(trace.retry_after_ms.value_or(0), 300'000);
  EXPECT_NE(throttled.status().message().find("parse drift in reddit_throttled (reddit)"),
            std::string::npos) << throttled.status().message();
  EXPECT_EQ(store_->ListPosts(PostPageRequest{})->items.size(), 0u);
}

TEST_F(ScraperTest, RedditFeedChosenInConfigHasNoFallback) {
  route_ = [](const ServerRequest&) {
    return ServerReply{.headers = {{"Content-Type", "application/json"}}, .body = Fixture("reddit/search.json")};
  };
  SourceSpec spec = Spec("reddit");
  spec.options["format"] = "rss";
  auto r = scraper_->Run(spec, "ovh");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("the RSS feed is not XML"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(targets_.size(), 1u);
}

}  // namespace
}  // namespace ct
