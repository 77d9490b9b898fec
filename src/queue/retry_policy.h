// Backoff between retries: exponential with full jitter and a cap, honouring Retry-After.
// Pure; the random source is injected so tests are deterministic.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

namespace ct {

inline constexpr std::int64_t kMaxRetryAfterMs = 24LL * 3600 * 1000;

struct RetryPolicy {
  std::int64_t base_ms = 1'000;     // first retry waits up to this
  std::int64_t cap_ms = 600'000;    // no wait is longer (10 min)
  std::int64_t result_ttl_ms = 7LL * 24 * 3600 * 1000;  // finished jobs kept a week
};

// Delay before the retry after `errors` failed attempts (errors >= 1):
// uniform in [0, min(cap, base * 2^(errors-1))], then at least retry_after_ms (which may
// exceed the cap: a source that asks us to wait is obeyed, up to kMaxRetryAfterMs).
// `uniform01` returns a double in [0, 1).
std::int64_t BackoffMs(const RetryPolicy& policy, int errors,
                       std::optional<std::int64_t> retry_after_ms,
                       const std::function<double()>& uniform01);

}  // namespace ct
