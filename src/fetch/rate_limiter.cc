#include "fetch/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "core/clock.h"

namespace ct {

TokenBucket::TokenBucket(double rate_per_second, double burst, const Clock& clock)
    : rate_(std::max(rate_per_second, 1e-6)),
      burst_(std::max(burst, 1.0)),
      clock_(clock),
      tokens_(burst_),
      last_micros_(clock.MonotonicMicros()) {}

void TokenBucket::Refill() {
  const std::int64_t now = clock_.MonotonicMicros();
  if (now > last_micros_) {
    tokens_ = std::min(burst_, tokens_ + (now - last_micros_) * rate_ / 1e6);
    last_micros_ = now;
  }
}

std::int64_t TokenBucket::TryAcquire() {
  std::lock_guard lock(mu_);
  Refill();
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return 0;
  }
  return static_cast<std::int64_t>(std::ceil((1.0 - tokens_) * 1e6 / rate_));
}

}  // namespace ct
