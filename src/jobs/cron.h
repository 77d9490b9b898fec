// Cron expressions: the 5 standard fields (minute hour day-of-month month day-of-week) with
// lists, ranges, steps and names (JAN..DEC, SUN..SAT; 7 is Sunday too), and the macros
// @yearly @annually @monthly @weekly @daily @midnight @hourly. A leading "CRON_TZ=Zone " names
// the time zone the fields are read in (UTC by default).
// When both day fields are restricted, a day matches if either does (as in Vixie cron).
// Immutable after parsing; safe to share.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time_zone.h"

namespace ct {

class CronSchedule {
 public:
  // `zoneinfo_dir` for tests. Errors name the field and the bad text.
  static Result<CronSchedule> Parse(std::string_view expression,
                                    const std::string& zoneinfo_dir = "/usr/share/zoneinfo");

  // The first firing strictly after `after_utc` (Unix seconds), at a whole minute.
  // Local times skipped by a DST jump do not fire; a repeated hour fires once (its first pass).
  // Returns -1 when none exists within 5 years (e.g. "0 0 30 2 *").
  std::int64_t Next(std::int64_t after_utc) const;

  const std::string& expression() const { return expression_; }
  const TimeZone& zone() const { return zone_; }

 private:
  CronSchedule() : zone_(TimeZone::Utc()) {}
  bool DayMatches(int mday, int month, int wday) const;

  std::string expression_;
  TimeZone zone_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> mdays_;   // 1..31
  std::bitset<13> months_;  // 1..12
  std::bitset<7> wdays_;    // 0..6, Sunday = 0
  bool mday_star_ = false, wday_star_ = false;
};

}  // namespace ct
