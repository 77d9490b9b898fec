// TokenBucket: `rate` tokens per second refill a bucket of `burst` tokens; each request takes
// one. Time comes from the injected Clock (monotonic), so tests drive it with FakeClock.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>

namespace ct {

class Clock;

class TokenBucket {
 public:
  // rate_per_second > 0, burst >= 1. The bucket starts full.
  TokenBucket(double rate_per_second, double burst, const Clock& clock);

  // Takes a token and returns 0 when one is available; otherwise takes nothing and returns the
  // microseconds until one will be.
  std::int64_t TryAcquire();

  double rate_per_second() const { return rate_; }

 private:
  void Refill();

  const double rate_;
  const double burst_;
  const Clock& clock_;
  std::mutex mu_;
  double tokens_;
  std::int64_t last_micros_;
};

}  // namespace ct
