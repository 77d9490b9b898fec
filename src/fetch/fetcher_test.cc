#include "fetch/fetcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "core/clock.h"
#include "fetch/testing/local_http_server.h"

namespace ct {
namespace {

using testing::LocalHttpServer;
using testing::ServerReply;
using testing::ServerRequest;

class FetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<LocalHttpServer>([this](const ServerRequest& r) {
      std::lock_guard lock(mu_);
      seen_.push_back(r);
      if (script_.empty()) return ServerReply{.body = "default"};
      ServerReply next = script_.front();
      if (script_.size() > 1) script_.erase(script_.begin());
      return next;
    });
    ASSERT_TRUE(server_->Start().ok());
    HttpClientOptions o;
    o.guard = SsrfGuard::FromStrings({"127.0.0.1/32"}).value();
    o.timeout_ms = 5'000;
    client_ = MakeCurlHttpClient(o);
    FetcherOptions fo;
    fo.backoff = {.base_ms = 1'000, .cap_ms = 20'000};
    fo.max_wait_ms = 60'000;
    fo.host_requests_per_second = 1000;
    fo.default_limits = {.requests_per_minute = 6000,
                         .burst = 100,
                         .max_attempts = 4,
                         .breaker = {.failure_threshold = 3, .cooldown_ms = 30'000}};
    fetcher_ = std::make_unique<Fetcher>(
        *client_, clock_,
        [this](std::int64_t ms) {
          sleeps_.push_back(ms);
          clock_.AdvanceMicros(ms * 1000);
          return Status::Ok();
        },
        [] { return 0.5; }, fo);
  }

  void Script(std::vector<ServerReply> replies) {
    std::lock_guard lock(mu_);
    script_ = std::move(replies);
  }
  HttpRequest Get(const char* path = "/search") { return {.url = server_->Url(path)}; }

  FakeClock clock_;
  std::mutex mu_;
  std::vector<ServerReply> script_;
  std::vector<ServerRequest> seen_;
  std::vector<std::int64_t> sleeps_;
  std::unique_ptr<LocalHttpServer> server_;
  std::unique_ptr<HttpClient> client_;
  std::unique_ptr<Fetcher> fetcher_;
};

TEST_F(FetcherTest, RetriesServerErrorsWithFullJitterBackoff) {
  Script({{.status = 500}, {.status = 502}, {.status = 200, .body = "ok"}});
  FetchTrace trace;
  auto r = fetcher_->Fetch("hackernews", Get(), nullptr, &trace);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(trace.attempts, 3);
  // uniform 0.5 of base*2^(n-1): 500 then 1000 ms.
  EXPECT_EQ(sleeps_, (std::vector<std::int64_t>{500, 1000}));
  EXPECT_EQ(fetcher_->Breaker("hackernews").state(), BreakerState::kClosed);
}

TEST_F(FetcherTest, HonoursRetryAfterOnServiceUnavailable) {
  Script({{.status = 503, .headers = {{"Retry-After", "7"}}}, {.status = 200, .body = "ok"}});
  auto r = fetcher_->Fetch("stackexchange", Get());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(sleeps_, (std::vector<std::int64_t>{7'000}));
}

TEST_F(FetcherTest, TooManyRequestsTripsTheBreakerAndReportsRetryAfter) {
  Script({{.status = 429, .headers = {{"Retry-After", "120"}}}});
  FetchTrace trace;
  auto r = fetcher_->Fetch("reddit", Get(), nullptr, &trace);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(r.status().transient());
  EXPECT_EQ(trace.attempts, 1);
  EXPECT_EQ(trace.retry_after_ms.value_or(0), 120'000);
  EXPECT_EQ(fetcher_->Breaker("reddit").state(), BreakerState::kOpen);
  // While open, nothing reaches the server.
  const int before = server_->requests();
  auto refused = fetcher_->Fetch("reddit", Get());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("circuit open for source reddit"), std::string::npos);
  EXPECT_EQ(server_->requests(), before);
  // Other sources are unaffected; after the cool-down one probe closes it again.
  Script({{.status = 200, .body = "ok"}});
  EXPECT_TRUE(fetcher_->Fetch("hackernews", Get()).ok());
  clock_.AdvanceSeconds(120);
  EXPECT_EQ(fetcher_->Breaker("reddit").state(), BreakerState::kHalfOpen);
  EXPECT_TRUE(fetcher_->Fetch("reddit", Get()).ok());
  EXPECT_EQ(fetcher_->Breaker("reddit").state(), BreakerState::kClosed);
}

TEST_F(FetcherTest, RepeatedFailuresOpenTheBreaker) {
  Script({{.status = 500}});
  FetchTrace trace;
  auto r = fetcher_->Fetch("discourse", Get(), nullptr, &trace);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(trace.attempts, 3);  // the third failure opened it; the fourth attempt is refused
  EXPECT_NE(r.status().message().find("circuit open"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(fetcher_->Breaker("discourse").state(), BreakerState::kOpen);
  EXPECT_EQ(trace.retry_after_ms.value_or(0), 30'000);
}

TEST_F(FetcherTest, ForbiddenIsPermanentAndTrips) {
  Script({{.status = 403}});
  auto r = fetcher_->Fetch("trustpilot", Get());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(r.status().transient());
  EXPECT_EQ(fetcher_->Breaker("trustpilot").state(), BreakerState::kOpen);
}

TEST_F(FetcherTest, NotFoundIsPermanentWithoutRetry) {
  Script({{.status = 404}});
  FetchTrace trace;
  auto r = fetcher_->Fetch("github", Get(), nullptr, &trace);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(trace.attempts, 1);
  EXPECT_EQ(fetcher_->Breaker("github").state(), BreakerState::kClosed);
}

TEST_F(FetcherTest, TimeoutsAreRetried) {
  Script({{.body = "late", .delay_ms = 2'000}, {.body = "ok"}});
  FetchTrace trace;
  auto r = fetcher_->Fetch("mastodon", {.url = server_->Url("/t"), .timeout_ms = 150}, nullptr, &trace);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(trace.attempts, 2);
}

TEST_F(FetcherTest, SendsConditionalHeadersAndKeepsValidatorsOn304) {
  Script({{.status = 200,
           .headers = {{"ETag", "W/\"abc\""}, {"Last-Modified", "Mon, 02 Jun 2025 10:00:00 GMT"}},
           .body = "<rss/>"},
          {.status = 304}});
  Validators v;
  auto first = fetcher_->Fetch("rss", Get("/feed"), &v);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(v.etag, "W/\"abc\"");
  auto second = fetcher_->Fetch("rss", Get("/feed"), &v);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->status, 304);
  EXPECT_EQ(v.etag, "W/\"abc\"");
  std::lock_guard lock(mu_);
  ASSERT_EQ(seen_.size(), 2u);
  EXPECT_EQ(seen_[0].Header("if-none-match"), "");
  EXPECT_EQ(seen_[1].Header("if-none-match"), "W/\"abc\"");
  EXPECT_EQ(seen_[1].Header("if-modified-since"), "Mon, 02 Jun 2025 10:00:00 GMT");
}

TEST_F(FetcherTest, RateLimitsPerSource) {
  fetcher_->SetSourceLimits("hackernews", {.requests_per_minute = 60, .burst = 1});
  ASSERT_TRUE(fetcher_->Fetch("hackernews", Get()).ok());
  ASSERT_TRUE(fetcher_->Fetch("hackernews", Get()).ok());
  EXPECT_EQ(sleeps_, (std::vector<std::int64_t>{1'000}));
}

TEST_F(FetcherTest, PausesUntilRateLimitReset) {
  Script({{.status = 200,
           .headers = {{"X-RateLimit-Remaining", "0"},
                       {"X-RateLimit-Reset", std::to_string(clock_.NowSeconds() + 42)}},
           .body = "{}"},
          {.status = 200, .body = "{}"}});
  ASSERT_TRUE(fetcher_->Fetch("github", Get()).ok());
  ASSERT_TRUE(fetcher_->Fetch("github", Get()).ok());
  EXPECT_EQ(sleeps_, (std::vector<std::int64_t>{42'000}));
}

TEST_F(FetcherTest, LongWaitsAreLeftToTheQueue) {
  fetcher_->PauseSource("stackexchange", 3'600'000);
  FetchTrace trace;
  auto r = fetcher_->Fetch("stackexchange", Get(), nullptr, &trace);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(trace.retry_after_ms.value_or(0), 3'600'000);
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(server_->requests(), 0);
}

TEST_F(FetcherTest, SsrfRefusalIsNotRetried) {
  FetchTrace trace;
  auto r = fetcher_->Fetch("html", {.url = "http://10.1.2.3/"}, nullptr, &trace);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(trace.attempts, 1);
}

}  // namespace
}  // namespace ct
