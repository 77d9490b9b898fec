#include "fetch/circuit_breaker.h"

#include <gtest/gtest.h>

#include "core/clock.h"

namespace ct {
namespace {

TEST(CircuitBreakerTest, OpensAfterThresholdHalfOpensAfterCooldown) {
  FakeClock clock;
  CircuitBreaker b("reddit", {.failure_threshold = 3, .cooldown_ms = 60'000}, clock);
  const Status boom = Status::Unavailable("HTTP 503");
  EXPECT_TRUE(b.Allow().ok());
  b.RecordFailure(boom);
  b.RecordFailure(boom);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  b.RecordFailure(boom);
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  Status refused = b.Allow();
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.message().find("circuit open for source reddit"), std::string::npos);
  EXPECT_EQ(b.RetryAfterMs(), 60'000);

  clock.AdvanceSeconds(60);
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
  EXPECT_TRUE(b.Allow().ok());    // the probe
  EXPECT_FALSE(b.Allow().ok());   // only one
  b.RecordFailure(boom);          // probe failed: open again
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  clock.AdvanceSeconds(60);
  EXPECT_TRUE(b.Allow().ok());
  b.RecordSuccess();
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  EXPECT_EQ(b.Snapshot().consecutive_failures, 0);
}

TEST(CircuitBreakerTest, SuccessResetsTheCount) {
  FakeClock clock;
  CircuitBreaker b("hn", {.failure_threshold = 2, .cooldown_ms = 1000}, clock);
  b.RecordFailure(Status::Unavailable("x"));
  b.RecordSuccess();
  b.RecordFailure(Status::Unavailable("x"));
  EXPECT_EQ(b.state(), BreakerState::kClosed);
}

TEST(CircuitBreakerTest, TripHonoursLongerRetryAfterAndSnapshotsRestore) {
  FakeClock clock;
  CircuitBreaker b("trustpilot", {.failure_threshold = 5, .cooldown_ms = 10'000}, clock);
  b.Trip(Status::ResourceExhausted("HTTP 429"), 120'000);
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_EQ(b.RetryAfterMs(), 120'000);
  BreakerSnapshot snap = b.Snapshot();
  EXPECT_NE(snap.last_error.find("429"), std::string::npos);

  CircuitBreaker other("trustpilot", {.failure_threshold = 5, .cooldown_ms = 10'000}, clock);
  other.Restore(snap);
  EXPECT_EQ(other.state(), BreakerState::kOpen);
  clock.AdvanceSeconds(120);
  EXPECT_EQ(other.state(), BreakerState::kHalfOpen);
}

}  // namespace
}  // namespace ct
