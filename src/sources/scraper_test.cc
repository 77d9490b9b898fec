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

}  // namespace
}  // namespace ct
