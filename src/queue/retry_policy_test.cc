#include "queue/retry_policy.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

TEST(RetryPolicyTest, ExponentialCeilingWithFullJitter) {
  RetryPolicy p;
  auto top = [] { return 0.999999; };
  auto bottom = [] { return 0.0; };
  EXPECT_NEAR(BackoffMs(p, 1, std::nullopt, top), 1000, 1);
  EXPECT_NEAR(BackoffMs(p, 2, std::nullopt, top), 2000, 1);
  EXPECT_NEAR(BackoffMs(p, 5, std::nullopt, top), 16000, 1);
  EXPECT_NEAR(BackoffMs(p, 30, std::nullopt, top), 600000, 1);  // capped
  EXPECT_EQ(BackoffMs(p, 3, std::nullopt, bottom), 0);            // full jitter reaches zero
}

TEST(RetryPolicyTest, RetryAfterIsAFloorEvenAboveTheCap) {
  RetryPolicy p;
  auto bottom = [] { return 0.0; };
  EXPECT_EQ(BackoffMs(p, 1, 30'000, bottom), 30'000);
  EXPECT_EQ(BackoffMs(p, 1, 3'600'000, bottom), 3'600'000);
  EXPECT_EQ(BackoffMs(p, 1, 999LL * 24 * 3600 * 1000, bottom), kMaxRetryAfterMs);
}

}  // namespace
}  // namespace ct
