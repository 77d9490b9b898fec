#include "jobs/cron.h"

#include <gtest/gtest.h>

#include "core/time_format.h"

namespace ct {
namespace {

std::int64_t T(const char* iso) { return *ParseIso8601(iso); }
std::string NextIso(const char* expr, const char* after) {
  auto c = CronSchedule::Parse(expr);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return "";
  const std::int64_t n = c->Next(T(after));
  return n < 0 ? "none" : FormatIso8601(n);
}

TEST(CronTest, BasicFieldsInUtc) {
  EXPECT_EQ(NextIso("* * * * *", "2024-01-01T00:00:00Z"), "2024-01-01T00:01:00Z");
  EXPECT_EQ(NextIso("* * * * *", "2024-01-01T00:00:30Z"), "2024-01-01T00:01:00Z");
  EXPECT_EQ(NextIso("0 */3 * * *", "2024-01-01T01:00:00Z"), "2024-01-01T03:00:00Z");
  EXPECT_EQ(NextIso("0 */3 * * *", "2024-01-01T21:00:00Z"), "2024-01-02T00:00:00Z");
  EXPECT_EQ(NextIso("30 4 1,15 * *", "2024-01-02T00:00:00Z"), "2024-01-15T04:30:00Z");
  EXPECT_EQ(NextIso("0 9-17/4 * * MON-FRI", "2024-01-05T14:00:00Z"), "2024-01-05T17:00:00Z");
  EXPECT_EQ(NextIso("0 9-17/4 * * MON-FRI", "2024-01-05T17:00:00Z"), "2024-01-08T09:00:00Z");
  EXPECT_EQ(NextIso("0 0 * JAN,jul *", "2024-02-01T00:00:00Z"), "2024-07-01T00:00:00Z");
  EXPECT_EQ(NextIso("0 12 * * 7", "2024-01-01T00:00:00Z"), "2024-01-07T12:00:00Z");  // Sunday
  EXPECT_EQ(NextIso("5/20 * * * *", "2024-01-01T00:06:00Z"), "2024-01-01T00:25:00Z");
  EXPECT_EQ(NextIso("1,5/20 * * * *", "2024-01-01T00:02:00Z"), "2024-01-01T00:05:00Z");
}

TEST(CronTest, DayOfMonthOrDayOfWeek) {
  // Both restricted: either matches (the 13th, or any Friday).
  EXPECT_EQ(NextIso("0 0 13 * FRI", "2024-01-01T00:00:00Z"), "2024-01-05T00:00:00Z");
  EXPECT_EQ(NextIso("0 0 13 * FRI", "2024-01-12T00:00:00Z"), "2024-01-13T00:00:00Z");
  EXPECT_EQ(NextIso("0 0 29 2 *", "2024-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(NextIso("0 0 30 2 *", "2024-03-01T00:00:00Z"), "none");
}

TEST(CronTest, Macros) {
  EXPECT_EQ(NextIso("@hourly", "2024-01-01T00:00:00Z"), "2024-01-01T01:00:00Z");
  EXPECT_EQ(NextIso("@daily", "2024-01-01T00:00:00Z"), "2024-01-02T00:00:00Z");
  EXPECT_EQ(NextIso("@weekly", "2024-01-01T00:00:00Z"), "2024-01-07T00:00:00Z");
  EXPECT_EQ(NextIso("@monthly", "2024-01-31T00:00:00Z"), "2024-02-01T00:00:00Z");
  EXPECT_EQ(NextIso("@yearly", "2024-01-01T00:00:00Z"), "2025-01-01T00:00:00Z");
}

TEST(CronTest, TimeZonesAndDaylightSaving) {
  // 09:00 in Paris is 08:00Z in winter and 07:00Z in summer.
  EXPECT_EQ(NextIso("CRON_TZ=Europe/Paris 0 9 * * *", "2024-01-10T12:00:00Z"),
            "2024-01-11T08:00:00Z");
  EXPECT_EQ(NextIso("CRON_TZ=Europe/Paris 0 9 * * *", "2024-07-10T12:00:00Z"),
            "2024-07-11T07:00:00Z");
  // 2024-03-31: 02:00 -> 03:00 in Paris; 02:30 does not exist that day.
  EXPECT_EQ(NextIso("CRON_TZ=Europe/Paris 30 2 * * *", "2024-03-30T12:00:00Z"),
            "2024-04-01T00:30:00Z");
  // 2024-10-27: 03:00 -> 02:00; 02:30 happens twice and fires once (the first, at 00:30Z).
  EXPECT_EQ(NextIso("CRON_TZ=Europe/Paris 30 2 * * *", "2024-10-26T12:00:00Z"),
            "2024-10-27T00:30:00Z");
  EXPECT_EQ(NextIso("CRON_TZ=Europe/Paris 30 2 * * *", "2024-10-27T00:30:00Z"),
            "2024-10-28T01:30:00Z");
  // Midnight right after the spring change is not skipped.
  EXPECT_EQ(NextIso("CRON_TZ=Europe/Paris 0 0 1 4 *", "2024-03-31T00:30:00Z"),
            "2024-03-31T22:00:00Z");
  // Far future: beyond the file's transitions, the POSIX rule applies.
  EXPECT_EQ(NextIso("CRON_TZ=Europe/Paris 0 9 1 7 *", "2050-01-01T00:00:00Z"),
            "2050-07-01T07:00:00Z");
  EXPECT_EQ(NextIso("CRON_TZ=America/New_York 0 9 * * *", "2060-01-10T00:00:00Z"),
            "2060-01-10T14:00:00Z");
}

TEST(CronTest, EveryMinuteOverAYearIsStrictlyIncreasing) {
  auto c = *CronSchedule::Parse("CRON_TZ=Europe/Paris */7 * * * *");
  std::int64_t t = T("2024-01-01T00:00:00Z");
  int count = 0;
  while (t < T("2025-01-01T00:00:00Z")) {
    const std::int64_t n = c.Next(t);
    ASSERT_GT(n, t);
    ASSERT_EQ(n % 60, 0);
    t = n;
    ++count;
  }
  // 9 firings an hour (0,7,...,56) * 8784 hours, less the skipped spring hour, fall hour once.
  EXPECT_EQ(count, 9 * 8784 - 9);
}

TEST(CronTest, ErrorsNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"* * * *", "5 fields"},
      {"60 * * * *", "minute"},
      {"* 24 * * *", "hour"},
      {"* * 0 * *", "day-of-month"},
      {"* * * 13 *", "month"},
      {"* * * * 8", "day-of-week"},
      {"*/0 * * * *", "step"},
      {"5-1 * * * *", "minute"},
      {"@fortnightly", "macro"},
      {"CRON_TZ=Mars/Olympus 0 * * * *", "time zone"},
      {"a,b * * * *", "minute"},
  };
  for (const auto& [expr, want] : cases) {
    auto c = CronSchedule::Parse(expr);
    ASSERT_FALSE(c.ok()) << expr;
    EXPECT_NE(c.status().message().find(want), std::string::npos) << c.status().message();
  }
}

}  // namespace
}  // namespace ct
