// CircuitBreaker: stops hammering a source that keeps failing.
//
//   closed    requests flow; `failure_threshold` failures in a row open it
//   open      requests are refused until `cooldown_ms` passed; a 403 or 429 opens it at once
//             (Trip), with a cool-down of at least the source's Retry-After
//   half-open after the cool-down one probe request goes through; success closes the breaker,
//             failure opens it again for another cool-down
//
// Time from the injected Clock (wall clock, so a snapshot persisted by one process means the same
// thing in the next). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ct {

class Clock;

enum class BreakerState { kClosed, kOpen, kHalfOpen };
std::string_view BreakerStateName(BreakerState s);

struct CircuitBreakerOptions {
  int failure_threshold = 5;
  std::int64_t cooldown_ms = 300'000;
};

// What is persisted between processes and shown by GET /sources.
struct BreakerSnapshot {
  BreakerState state = BreakerState::kClosed;
  int consecutive_failures = 0;
  std::int64_t open_until_ms = 0;  // wall clock, Unix ms; meaningful when open
  std::string last_error;
};

class CircuitBreaker {
 public:
  CircuitBreaker(std::string name, CircuitBreakerOptions options, const Clock& clock);

  // Ok when a request may go now (in half-open: only the one probe). Otherwise Unavailable
  // (transient) "circuit open for source X until ...: <last error>"; RetryAfterMs() says when.
  Status Allow();
  void RecordSuccess();
  // A failure that counts towards the threshold (timeouts, 5xx, connection errors).
  void RecordFailure(const Status& why);
  // Opens at once for max(cooldown, min_cooldown_ms) (403, 429).
  void Trip(const Status& why, std::int64_t min_cooldown_ms = 0);

  BreakerState state() const;
  std::int64_t RetryAfterMs() const;  // 0 unless open
  BreakerSnapshot Snapshot() const;
  void Restore(const BreakerSnapshot& snapshot);

 private:
  BreakerState StateLocked() const;
  void OpenLocked(const Status& why, std::int64_t cooldown_ms);

  const std::string name_;
  const CircuitBreakerOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  BreakerSnapshot s_;
  bool probe_in_flight_ = false;
};

}  // namespace ct
