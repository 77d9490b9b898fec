#include "queue/retry_policy.h"

#include <algorithm>

namespace ct {

std::int64_t BackoffMs(const RetryPolicy& policy, int errors,
                       std::optional<std::int64_t> retry_after_ms,
                       const std::function<double()>& uniform01) {
  const int shift = std::clamp(errors - 1, 0, 40);
  const double ceiling =
      std::min(static_cast<double>(policy.cap_ms), static_cast<double>(policy.base_ms) *
                                                       static_cast<double>(1LL << shift));
  std::int64_t delay = static_cast<std::int64_t>(uniform01() * ceiling);
  if (retry_after_ms) delay = std::max(delay, std::min(*retry_after_ms, kMaxRetryAfterMs));
  return std::max<std::int64_t>(delay, 0);
}

}  // namespace ct
