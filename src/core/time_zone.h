// Time zones from the system's tz database (/usr/share/zoneinfo, TZif v2+ files), for cron
// schedules with CRON_TZ. Only what scheduling needs: the UTC offset in force at an instant.
// Immutable after loading; safe to share between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ct {

class TimeZone {
 public:
  // "UTC" (built in), or an IANA name such as "Europe/Paris". `zoneinfo_dir` for tests.
  static Result<TimeZone> Load(std::string_view name,
                               const std::string& zoneinfo_dir = "/usr/share/zoneinfo");
  static TimeZone Utc();

  const std::string& name() const { return name_; }
  // Seconds east of UTC in force at `utc_seconds`.
  std::int32_t OffsetAt(std::int64_t utc_seconds) const;

  // A POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3"), used after the file's last transition.
  struct PosixRule {
    std::int32_t std_offset = 0;  // seconds east of UTC
    bool has_dst = false;
    std::int32_t dst_offset = 0;
    // Transition dates: Mm.w.d (month, week 1..5 where 5 = last, weekday 0 = Sunday) or
    // Jn / n (Julian days); time of day in local seconds (may be negative or > 24 h).
    struct Date {
      char kind = 'M';  // 'M', 'J' (1..365, no Feb 29) or 'D' (0..365)
      int month = 0, week = 0, weekday = 0, day = 0;
      std::int32_t time = 7200;
    } start, end;
  };
  static Result<PosixRule> ParsePosixRule(std::string_view rule);
  static std::int32_t OffsetByRule(const PosixRule& rule, std::int64_t utc_seconds);

 private:
  std::string name_;
  std::vector<std::int64_t> transitions_;   // UTC seconds, ascending
  std::vector<std::int32_t> offsets_after_;  // offset in force from transitions_[i]
  std::int32_t initial_offset_ = 0;          // before the first transition
  bool has_rule_ = false;
  PosixRule rule_;
};

}  // namespace ct
