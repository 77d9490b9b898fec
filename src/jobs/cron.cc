#include "jobs/cron.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include "core/time_format.h"

namespace ct {
namespace {

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

struct FieldSpec {
  const char* name;
  int lo, hi;
  const char* const* names;  // nullptr or names for lo..lo+n-1
  int name_count;
};

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool ParseValue(std::string_view s, const FieldSpec& f, int& out) {
  if (f.names && s.size() == 3) {
    std::string up(s);
    for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (int i = 0; i < f.name_count; ++i)
      if (up == f.names[i]) {
        out = (f.lo == 0 ? 0 : 1) + i;
        return true;
      }
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Fills `bits` (indexed by value) for one field; sets `star` when the field is "*" or "?".
template <std::size_t N>
Status ParseField(std::string_view text, const FieldSpec& f, std::bitset<N>& bits, bool& star) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("cron " + std::string(f.name) + " field '" +
                                   std::string(text) + "': " + std::string(why));
  };
  star = text == "*" || text == "?";
  const int hi = f.hi;
  for (std::string_view item : Split(text, ',')) {
    if (item.empty()) return bad("empty list item");
    int step = 1;
    const bool has_step = item.find('/') != std::string_view::npos;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
      auto s = item.substr(slash + 1);
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), step);
      if (ec != std::errc() || p != s.data() + s.size() || step < 1) return bad("bad step");
      item = item.substr(0, slash);
    }
    int a, b;
    if (item == "*" || item == "?") {
      a = f.lo;
      b = hi;
    } else if (auto dash = item.find('-'); dash != std::string_view::npos) {
      if (!ParseValue(item.substr(0, dash), f, a) || !ParseValue(item.substr(dash + 1), f, b))
        return bad("bad range");
    } else {
      if (!ParseValue(item, f, a)) return bad("not a number or name");
      b = has_step ? hi : a;  // "5/15" means 5-max/15
    }
    const int max = (f.names == kDayNames) ? 7 : hi;  // 7 is Sunday too
    if (a < f.lo || b > max || a > b)
      return bad("out of range " + std::to_string(f.lo) + "-" + std::to_string(hi));
    for (int v = a; v <= b; v += step) bits.set(static_cast<std::size_t>(max == 7 ? v % 7 : v));
  }
  return Status::Ok();
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view expr, const std::string& zoneinfo_dir) {
  CronSchedule c;
  c.expression_ = std::string(expr);
  std::string_view s = expr;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.rfind("CRON_TZ=", 0) == 0 || s.rfind("TZ=", 0) == 0) {
    s.remove_prefix(s.find('=') + 1);
    const auto space = s.find(' ');
    if (space == std::string_view::npos) return Status::InvalidArgument("cron: CRON_TZ without fields");
    CT_ASSIGN_OR_RETURN(c.zone_, TimeZone::Load(s.substr(0, space), zoneinfo_dir));
    s.remove_prefix(space + 1);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  }
  std::string fields;
  if (!s.empty() && s.front() == '@') {
    if (s == "@yearly" || s == "@annually") fields = "0 0 1 1 *";
    else if (s == "@monthly") fields = "0 0 1 * *";
    else if (s == "@weekly") fields = "0 0 * * 0";
    else if (s == "@daily" || s == "@midnight") fields = "0 0 * * *";
    else if (s == "@hourly") fields = "0 * * * *";
    else return Status::InvalidArgument("cron: unknown macro '" + std::string(s) + "'");
  } else {
    fields = std::string(s);
  }
  std::vector<std::string_view> parts;
  for (auto part : Split(fields, ' '))
    if (!part.empty()) parts.push_back(part);
  if (parts.size() != 5)
    return Status::InvalidArgument("cron expression '" + std::string(expr) +
                                   "' must have 5 fields (minute hour day month weekday), has " +
                                   std::to_string(parts.size()));
  static const FieldSpec kMinute{"minute", 0, 59, nullptr, 0};
  static const FieldSpec kHour{"hour", 0, 23, nullptr, 0};
  static const FieldSpec kMday{"day-of-month", 1, 31, nullptr, 0};
  static const FieldSpec kMonth{"month", 1, 12, kMonthNames, 12};
  static const FieldSpec kWday{"day-of-week", 0, 6, kDayNames, 7};
  bool unused;
  CT_RETURN_IF_ERROR(ParseField(parts[0], kMinute, c.minutes_, unused));
  CT_RETURN_IF_ERROR(ParseField(parts[1], kHour, c.hours_, unused));
  CT_RETURN_IF_ERROR(ParseField(parts[2], kMday, c.mdays_, c.mday_star_));
  CT_RETURN_IF_ERROR(ParseField(parts[3], kMonth, c.months_, unused));
  CT_RETURN_IF_ERROR(ParseField(parts[4], kWday, c.wdays_, c.wday_star_));
  return c;
}

bool CronSchedule::DayMatches(int mday, int month, int wday) const {
  if (!months_.test(static_cast<std::size_t>(month))) return false;
  const bool m = mdays_.test(static_cast<std::size_t>(mday));
  const bool w = wdays_.test(static_cast<std::size_t>(wday));
  if (mday_star_ || wday_star_) return m && w;
  return m || w;
}

std::int64_t CronSchedule::Next(std::int64_t after) const {
  // Walk forward in UTC, a minute at a time inside matching hours, and by whole local hours or
  // days elsewhere; each jump lands at or before the next candidate, so none is skipped.
  std::int64_t t = after - ((after % 60) + 60) % 60 + 60;  // next whole minute
  const std::int64_t limit = after + 5LL * 366 * 86400;
  while (t <= limit) {
    const std::int32_t off = zone_.OffsetAt(t);
    const std::int64_t local = t + off;
    std::int64_t days = local / 86400, sod = local % 86400;
    if (sod < 0) {
      sod += 86400;
      --days;
    }
    int y;
    unsigned mon, mday;
    CivilFromDays(days, y, mon, mday);
    const int wday = static_cast<int>(((days % 7) + 11) % 7);
    if (!DayMatches(static_cast<int>(mday), static_cast<int>(mon), wday)) {
      t += 86400 - sod;  // the next local midnight, if the offset stays the same
      // If the offset grew on the way, that lands after midnight: step back to it.
      std::int64_t sod2 = (t + zone_.OffsetAt(t)) % 86400;
      if (sod2 < 0) sod2 += 86400;
      if (sod2 != 0 && sod2 < 43200) t -= sod2;
      continue;
    }
    const int hour = static_cast<int>(sod / 3600), minute = static_cast<int>(sod / 60 % 60);
    if (!hours_.test(static_cast<std::size_t>(hour))) {
      t += 3600 - sod % 3600;
      continue;
    }
    if (!minutes_.test(static_cast<std::size_t>(minute))) {
      t += 60;
      continue;
    }
    // A local hour repeated when clocks go back fires only on its first pass.
    const std::int32_t prev_off = zone_.OffsetAt(t - 3600);
    if (prev_off > off && zone_.OffsetAt(t - (prev_off - off)) == prev_off) {
      t += 60;
      continue;
    }
    return t;
  }
  return -1;
}

}  // namespace ct
