#include "fetch/rate_limiter.h"

#include <gtest/gtest.h>

#include "core/clock.h"

namespace ct {
namespace {

TEST(TokenBucketTest, BurstThenRefillAtRate) {
  FakeClock clock;
  TokenBucket bucket(2.0, 3, clock);  // 2 per second, burst 3
  EXPECT_EQ(bucket.TryAcquire(), 0);
  EXPECT_EQ(bucket.TryAcquire(), 0);
  EXPECT_EQ(bucket.TryAcquire(), 0);
  EXPECT_EQ(bucket.TryAcquire(), 500'000);  // next token in half a second
  clock.AdvanceMicros(250'000);
  EXPECT_EQ(bucket.TryAcquire(), 250'000);
  clock.AdvanceMicros(250'000);
  EXPECT_EQ(bucket.TryAcquire(), 0);
  clock.AdvanceSeconds(100);  // never more than the burst
  for (int i = 0; i < 3; ++i) EXPECT_EQ(bucket.TryAcquire(), 0);
  EXPECT_GT(bucket.TryAcquire(), 0);
}

}  // namespace
}  // namespace ct
