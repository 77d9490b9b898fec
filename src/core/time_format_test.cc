#include "core/time_format.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

TEST(TimeFormatTest, FormatsUtc) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(1700000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatIso8601(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatIso8601(-1), "1969-12-31T23:59:59Z");
}

TEST(TimeFormatTest, ParsesVariants) {
  EXPECT_EQ(*ParseIso8601("2023-11-14T22:13:20Z"), 1700000000);
  EXPECT_EQ(*ParseIso8601("2023-11-14T22:13:20.123Z"), 1700000000);
  EXPECT_EQ(*ParseIso8601("2023-11-14 23:13:20+01:00"), 1700000000);
  EXPECT_EQ(*ParseIso8601("2023-11-14T17:13:20-0500"), 1700000000);
  EXPECT_EQ(*ParseIso8601("2023-11-14T22:13Z"), 1700000000 - 20);
  EXPECT_EQ(*ParseIso8601("2023-11-14"), 1699920000);
}

TEST(TimeFormatTest, RejectsGarbage) {
  for (const char* s : {"", "2023", "2023-13-01", "2023-11-14T25:00Z", "2023-11-14T22:13:20Q",
                        "yesterday", "2023-11-14T22:13:20Z trailing"}) {
    EXPECT_FALSE(ParseIso8601(s).ok()) << s;
  }
}

TEST(TimeFormatTest, RoundTripsOverYears) {
  for (std::int64_t t = -86400 * 365LL * 50; t < 86400 * 365LL * 80; t += 86400 * 7 + 3601) {
    EXPECT_EQ(*ParseIso8601(FormatIso8601(t)), t);
  }
}

}  // namespace
}  // namespace ct
