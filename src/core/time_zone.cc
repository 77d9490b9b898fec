#include "core/time_zone.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>

#include "core/time_format.h"

namespace ct {
namespace {

std::int64_t ReadBigEndian(const std::string& d, std::size_t pos, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(d[pos + i]);
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

// Parses "[+-]hh[:mm[:ss]]" into seconds; advances i.
bool ParseHms(std::string_view s, std::size_t& i, std::int32_t& out) {
  int sign = 1;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
  std::int32_t parts[3] = {0, 0, 0};
  for (int p = 0; p < 3; ++p) {
    if (p > 0) {
      if (i >= s.size() || s[i] != ':') break;
      ++i;
    }
    std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
      parts[p] = parts[p] * 10 + (s[i++] - '0');
    if (i == start) return false;
  }
  out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

bool SkipAbbreviation(std::string_view s, std::size_t& i) {
  std::size_t start = i;
  if (i < s.size() && s[i] == '<') {
    while (i < s.size() && s[i] != '>') ++i;
    if (i >= s.size()) return false;
    ++i;
    return true;
  }
  while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
  return i - start >= 3;
}

bool ParseDate(std::string_view s, std::size_t& i, TimeZone::PosixRule::Date& d) {
  auto number = [&](int& out) {
    std::size_t start = i;
    out = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) out = out * 10 + (s[i++] - '0');
    return i > start;
  };
  if (i < s.size() && s[i] == 'M') {
    ++i;
    d.kind = 'M';
    if (!number(d.month) || i >= s.size() || s[i++] != '.' || !number(d.week) || i >= s.size() ||
        s[i++] != '.' || !number(d.weekday))
      return false;
    if (d.month < 1 || d.month > 12 || d.week < 1 || d.week > 5 || d.weekday > 6) return false;
  } else if (i < s.size() && s[i] == 'J') {
    ++i;
    d.kind = 'J';
    if (!number(d.day) || d.day < 1 || d.day > 365) return false;
  } else {
    d.kind = 'D';
    if (!number(d.day) || d.day > 365) return false;
  }
  d.time = 7200;
  if (i < s.size() && s[i] == '/') {
    ++i;
    if (!ParseHms(s, i, d.time)) return false;
  }
  return true;
}

// Local seconds since the epoch (of that year's local midnight Jan 1 basis) at which `d` falls.
std::int64_t TransitionLocal(int year, const TimeZone::PosixRule::Date& d) {
  std::int64_t day;
  if (d.kind == 'M') {
    const std::int64_t first = DaysFromCivil(year, d.month, 1);
    const int first_wd = static_cast<int>(((first % 7) + 11) % 7);  // 1970-01-01 was Thursday (4)
    int mday = 1 + (d.weekday - first_wd + 7) % 7 + (d.week - 1) * 7;
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int month_days = kDays[d.month - 1];
    if (d.month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) month_days = 29;
    while (mday > month_days) mday -= 7;
    day = first + mday - 1;
  } else if (d.kind == 'J') {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    day = DaysFromCivil(year, 1, 1) + d.day - 1 + (leap && d.day >= 60 ? 1 : 0);
  } else {
    day = DaysFromCivil(year, 1, 1) + d.day;
  }
  return day * 86400 + d.time;
}

}  // namespace

TimeZone TimeZone::Utc() {
  TimeZone tz;
  tz.name_ = "UTC";
  return tz;
}

Result<TimeZone::PosixRule> TimeZone::ParsePosixRule(std::string_view s) {
  auto bad = [&] { return Status::InvalidArgument("bad POSIX TZ rule '" + std::string(s) + "'"); };
  PosixRule r;
  std::size_t i = 0;
  std::int32_t west = 0;
  if (!SkipAbbreviation(s, i) || !ParseHms(s, i, west)) return bad();
  r.std_offset = -west;
  if (i == s.size()) return r;
  if (!SkipAbbreviation(s, i)) return bad();
  r.has_dst = true;
  r.dst_offset = r.std_offset + 3600;
  if (i < s.size() && s[i] != ',') {
    if (!ParseHms(s, i, west)) return bad();
    r.dst_offset = -west;
  }
  if (i >= s.size() || s[i++] != ',' || !ParseDate(s, i, r.start) || i >= s.size() ||
      s[i++] != ',' || !ParseDate(s, i, r.end) || i != s.size())
    return bad();
  return r;
}

std::int32_t TimeZone::OffsetByRule(const PosixRule& r, std::int64_t t) {
  if (!r.has_dst) return r.std_offset;
  int y;
  unsigned m, d;
  CivilFromDays((t + r.std_offset) / 86400 - ((t + r.std_offset) % 86400 < 0 ? 1 : 0), y, m, d);
  // Start is given in standard local time, end in daylight local time.
  const std::int64_t start = TransitionLocal(y, r.start) - r.std_offset;
  const std::int64_t end = TransitionLocal(y, r.end) - r.dst_offset;
  const bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
  return dst ? r.dst_offset : r.std_offset;
}

Result<TimeZone> TimeZone::Load(std::string_view name, const std::string& dir) {
  if (name == "UTC" || name == "Etc/UTC" || name == "Z") return Utc();
  if (name.empty() || name.find("..") != std::string_view::npos || name.front() == '/')
    return Status::InvalidArgument("invalid time zone name '" + std::string(name) + "'");
  const std::string path = dir + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("unknown time zone '" + std::string(name) + "'");
  const std::string d((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto bad = [&](const char* why) {
    return Status::DataLoss("time zone file " + path + ": " + why);
  };
  if (d.size() < 44 || d.compare(0, 4, "TZif") != 0) return bad("not a TZif file");
  auto counts = [&](std::size_t h, std::int64_t c[6]) {
    for (int k = 0; k < 6; ++k) c[k] = ReadBigEndian(d, h + 20 + 4 * k, 4);
  };
  // Header counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt.
  std::int64_t c[6];
  counts(0, c);
  auto block_size = [&](const std::int64_t* n, int tbytes) {
    return n[3] * tbytes + n[3] + n[4] * 6 + n[5] + n[2] * (tbytes + 4) + n[1] + n[0];
  };
  std::size_t h = 0;
  int tbytes = 4;
  if (d[4] >= '2') {
    h = 44 + block_size(c, 4);
    if (d.size() < h + 44 || d.compare(h, 4, "TZif") != 0) return bad("truncated v2 header");
    counts(h, c);
    tbytes = 8;
  }
  std::size_t p = h + 44;
  if (d.size() < p + block_size(c, tbytes)) return bad("truncated data");
  TimeZone tz;
  tz.name_ = std::string(name);
  const std::size_t idx_at = p + c[3] * tbytes, types_at = idx_at + c[3];
  auto type_offset = [&](int type) {
    return static_cast<std::int32_t>(ReadBigEndian(d, types_at + 6 * type, 4));
  };
  if (c[4] < 1) return bad("no local time types");
  for (std::int64_t k = 0; k < c[3]; ++k) {
    tz.transitions_.push_back(ReadBigEndian(d, p + k * tbytes, tbytes));
    const int type = static_cast<unsigned char>(d[idx_at + k]);
    if (type >= c[4]) return bad("bad type index");
    tz.offsets_after_.push_back(type_offset(type));
  }
  tz.initial_offset_ = type_offset(0);
  if (tbytes == 8) {
    std::size_t footer = p + block_size(c, 8);
    if (footer < d.size() && d[footer] == '\n') {
      const std::size_t close = d.find('\n', footer + 1);
      if (close != std::string::npos && close > footer + 1) {
        auto rule = ParsePosixRule(std::string_view(d).substr(footer + 1, close - footer - 1));
        if (rule.ok()) {
          tz.rule_ = *rule;
          tz.has_rule_ = true;
        }
      }
    }
  }
  return tz;
}

std::int32_t TimeZone::OffsetAt(std::int64_t t) const {
  if (transitions_.empty()) return has_rule_ ? OffsetByRule(rule_, t) : initial_offset_;
  if (t < transitions_.front()) return initial_offset_;
  if (t >= transitions_.back() && has_rule_) return OffsetByRule(rule_, t);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  return offsets_after_[static_cast<std::size_t>(it - transitions_.begin()) - 1];
}

}  // namespace ct
