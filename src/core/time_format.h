// ISO 8601 / RFC 3339 rendering and parsing of Unix seconds, always UTC.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ct {

// 1700000000 -> "2023-11-14T22:13:20Z"
std::string FormatIso8601(std::int64_t unix_seconds);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.frac]]" followed by "Z", "+HH:MM", "-HH:MM",
// "+HHMM" or nothing (UTC), and a space in place of 'T'. Fractions are truncated.
Result<std::int64_t> ParseIso8601(std::string_view text);

// Days since 1970-01-01 for a civil date, and back (proleptic Gregorian).
std::int64_t DaysFromCivil(int y, unsigned m, unsigned d);
void CivilFromDays(std::int64_t days, int& y, unsigned& m, unsigned& d);

}  // namespace ct
