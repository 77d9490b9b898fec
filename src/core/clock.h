// Clock: the one source of time. Injected everywhere time matters (leases, backoff, cron,
// token timestamps) so tests use FakeClock and never sleep.
// Implementations are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace ct {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, microseconds since the Unix epoch (UTC).
  virtual std::int64_t NowMicros() const = 0;
  // Monotonic time for measuring durations; unrelated to the epoch.
  virtual std::int64_t MonotonicMicros() const = 0;

  std::int64_t NowSeconds() const { return NowMicros() / 1'000'000; }
  std::int64_t NowMillis() const { return NowMicros() / 1'000; }
};

class SystemClock final : public Clock {
 public:
  std::int64_t NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::int64_t MonotonicMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that only moves when told to. Both readings advance together.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t start_micros = 1'700'000'000'000'000) : now_(start_micros) {}
  std::int64_t NowMicros() const override { return now_.load(); }
  std::int64_t MonotonicMicros() const override { return now_.load(); }
  void AdvanceMicros(std::int64_t d) { now_ += d; }
  void AdvanceSeconds(std::int64_t s) { now_ += s * 1'000'000; }
  void SetMicros(std::int64_t t) { now_ = t; }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace ct
