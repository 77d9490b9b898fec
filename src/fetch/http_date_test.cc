#include "fetch/http_date.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

TEST(HttpDateTest, ParsesRfc1123Rfc822AndAsctime) {
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT").value(), 784111777);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994").value(), 784111777);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 10:49:37 +0200").value(), 784111777);
  EXPECT_EQ(ParseHttpDate("06 Nov 94 03:49:37 EST").value(), 784111777);
  EXPECT_EQ(ParseHttpDate("Sun, 6 Nov 1994 08:49 GMT").value(), 784111740);
  EXPECT_FALSE(ParseHttpDate("yesterday").ok());
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT").ok());
  EXPECT_EQ(FormatHttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(HttpDateTest, RetryAfterSecondsOrDate) {
  EXPECT_EQ(ParseRetryAfterMs("120", 0).value(), 120'000);
  EXPECT_EQ(ParseRetryAfterMs(" 0 ", 0).value(), 0);
  EXPECT_EQ(ParseRetryAfterMs("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 30).value(), 30'000);
  EXPECT_EQ(ParseRetryAfterMs("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 30).value(), 0);
  EXPECT_FALSE(ParseRetryAfterMs("soon", 0).has_value());
  EXPECT_FALSE(ParseRetryAfterMs("-5", 0).has_value());
}

}  // namespace
}  // namespace ct
