#include "fetch/circuit_breaker.h"

#include <algorithm>

#include "core/clock.h"
#include "core/time_format.h"

namespace ct {

std::string_view BreakerStateName(BreakerState s) {
  switch (s) {
    case BreakerState::kClosed: return "closed";
    case BreakerState::kOpen: return "open";
    case BreakerState::kHalfOpen: return "half_open";
  }
  return "closed";
}

CircuitBreaker::CircuitBreaker(std::string name, CircuitBreakerOptions options, const Clock& clock)
    : name_(std::move(name)), options_(options), clock_(clock) {}

BreakerState CircuitBreaker::StateLocked() const {
  if (s_.state == BreakerState::kOpen && clock_.NowMillis() >= s_.open_until_ms)
    return BreakerState::kHalfOpen;
  return s_.state;
}

Status CircuitBreaker::Allow() {
  std::lock_guard lock(mu_);
  switch (StateLocked()) {
    case BreakerState::kClosed:
      return Status::Ok();
    case BreakerState::kHalfOpen:
      if (probe_in_flight_) break;
      s_.state = BreakerState::kHalfOpen;
      probe_in_flight_ = true;
      return Status::Ok();
    case BreakerState::kOpen:
      break;
  }
  return Status::Unavailable("circuit open for source " + name_ + " until " +
                             FormatIso8601(s_.open_until_ms / 1000) +
                             (s_.last_error.empty() ? "" : ": " + s_.last_error));
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mu_);
  s_.state = BreakerState::kClosed;
  s_.consecutive_failures = 0;
  s_.open_until_ms = 0;
  probe_in_flight_ = false;
}

void CircuitBreaker::OpenLocked(const Status& why, std::int64_t cooldown_ms) {
  s_.state = BreakerState::kOpen;
  s_.open_until_ms = clock_.NowMillis() + cooldown_ms;
  s_.last_error = why.ToString();
  probe_in_flight_ = false;
}

void CircuitBreaker::RecordFailure(const Status& why) {
  std::lock_guard lock(mu_);
  ++s_.consecutive_failures;
  s_.last_error = why.ToString();
  if (StateLocked() == BreakerState::kHalfOpen ||
      s_.consecutive_failures >= options_.failure_threshold)
    OpenLocked(why, options_.cooldown_ms);
}

void CircuitBreaker::Trip(const Status& why, std::int64_t min_cooldown_ms) {
  std::lock_guard lock(mu_);
  ++s_.consecutive_failures;
  OpenLocked(why, std::max(options_.cooldown_ms, min_cooldown_ms));
}

BreakerState CircuitBreaker::state() const {
  std::lock_guard lock(mu_);
  return StateLocked();
}

std::int64_t CircuitBreaker::RetryAfterMs() const {
  std::lock_guard lock(mu_);
  if (StateLocked() != BreakerState::kOpen) return 0;
  return std::max<std::int64_t>(0, s_.open_until_ms - clock_.NowMillis());
}

BreakerSnapshot CircuitBreaker::Snapshot() const {
  std::lock_guard lock(mu_);
  BreakerSnapshot s = s_;
  s.state = StateLocked();
  return s;
}

void CircuitBreaker::Restore(const BreakerSnapshot& snapshot) {
  std::lock_guard lock(mu_);
  s_ = snapshot;
  if (s_.state == BreakerState::kHalfOpen) s_.state = BreakerState::kOpen;  // re-probe
  probe_in_flight_ = false;
}

}  // namespace ct
