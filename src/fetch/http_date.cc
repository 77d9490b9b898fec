#include "fetch/http_date.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include "core/time_format.h"

namespace ct {
namespace {

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',' || s[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != ',' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool Int(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

int Month(std::string_view s) {
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
  if (s.size() < 3) return 0;
  for (int m = 0; m < 12; ++m) {
    bool eq = true;
    for (int k = 0; k < 3; ++k)
      if (std::tolower(static_cast<unsigned char>(s[k])) != kMonths[m][k]) eq = false;
    if (eq) return m + 1;
  }
  return 0;
}

bool Weekday(std::string_view s) {
  static const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  if (s.size() < 3) return false;
  for (const char* d : kDays) {
    bool eq = true;
    for (int k = 0; k < 3; ++k)
      if (std::tolower(static_cast<unsigned char>(s[k])) != d[k]) eq = false;
    if (eq) return true;
  }
  return false;
}

// "+0200", "-05:00", "GMT", "UT", "Z", "EST"... -> offset seconds east of UTC.
bool Zone(std::string_view z, int& offset) {
  if (z.empty()) return false;
  if (z[0] == '+' || z[0] == '-') {
    std::string digits;
    for (char c : z.substr(1))
      if (c != ':') digits += c;
    int v = 0;
    if (digits.size() != 4 || !Int(digits, v)) return false;
    offset = (v / 100 * 3600 + v % 100 * 60) * (z[0] == '-' ? -1 : 1);
    return true;
  }
  std::string u;
  for (char c : z) u += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const std::pair<const char*, int> kZones[] = {
      {"GMT", 0}, {"UT", 0}, {"UTC", 0}, {"Z", 0}, {"EST", -5}, {"EDT", -4}, {"CST", -6},
      {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}, {"CET", 1}, {"CEST", 2}};
  for (const auto& [name, hours] : kZones)
    if (u == name) {
      offset = hours * 3600;
      return true;
    }
  return false;
}

bool Clock(std::string_view t, int& h, int& m, int& s) {
  h = m = s = 0;
  std::string str(t);
  return std::sscanf(str.c_str(), "%d:%d:%d", &h, &m, &s) >= 2 && h < 24 && m < 60 && s < 61;
}

}  // namespace

Result<std::int64_t> ParseHttpDate(std::string_view text) {
  auto bad = [&] { return Status::InvalidArgument("unparseable date '" + std::string(text) + "'"); };
  std::vector<std::string_view> f = Split(text);
  if (!f.empty() && Weekday(f[0])) f.erase(f.begin());
  if (f.size() < 4) return bad();
  int day = 0, year = 0, month = 0, h = 0, mi = 0, s = 0, offset = 0;
  std::string_view time, zone;
  if (Int(f[0], day) && (month = Month(f[1])) != 0 && Int(f[2], year)) {
    time = f[3];  // RFC 1123 / 822: 06 Nov 1994 08:49:37 GMT
    zone = f.size() > 4 ? f[4] : "GMT";
  } else if ((month = Month(f[0])) != 0 && Int(f[1], day) && f.size() >= 4 && Int(f[3], year)) {
    time = f[2];  // asctime: Nov  6 08:49:37 1994
    zone = "GMT";
  } else {
    return bad();
  }
  if (year < 100) year += year < 70 ? 2000 : 1900;
  if (day < 1 || day > 31 || !Clock(time, h, mi, s) || !Zone(zone, offset)) return bad();
  return DaysFromCivil(year, month, day) * 86'400 + h * 3600 + mi * 60 + s - offset;
}

std::string FormatHttpDate(std::int64_t t) {
  static const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::int64_t days = t >= 0 ? t / 86'400 : (t - 86'399) / 86'400;
  std::int64_t secs = t - days * 86'400;
  int y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                kDays[((days % 7) + 7) % 7], d, kMonths[m - 1], y, static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return buf;
}

std::optional<std::int64_t> ParseRetryAfterMs(std::string_view value, std::int64_t now_seconds) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  std::int64_t secs = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
  if (ec == std::errc() && p == value.data() + value.size()) {
    if (secs < 0) return std::nullopt;
    return secs * 1000;
  }
  auto date = ParseHttpDate(value);
  if (!date.ok()) return std::nullopt;
  return *date > now_seconds ? (*date - now_seconds) * 1000 : 0;
}

}  // namespace ct
