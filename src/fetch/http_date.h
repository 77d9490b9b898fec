// Dates as HTTP headers and feeds write them: RFC 1123 ("Sun, 06 Nov 1994 08:49:37 GMT"),
// RFC 822/2822 with a zone ("Tue, 10 Jun 2003 04:00:00 +0200", "... EST", weekday optional,
// two-digit years), and asctime. Retry-After as seconds or a date.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/status.h"

namespace ct {

// Unix seconds (UTC), or InvalidArgument.
Result<std::int64_t> ParseHttpDate(std::string_view text);

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::string FormatHttpDate(std::int64_t unix_seconds);

// Retry-After: delta-seconds or an HTTP date (relative to `now_seconds`), as milliseconds >= 0.
// nullopt when absent or unparseable.
std::optional<std::int64_t> ParseRetryAfterMs(std::string_view value, std::int64_t now_seconds);

}  // namespace ct
