// Fetcher: HttpClient plus politeness and resilience, per source and per host.
//
// For each Fetch(source, request):
//   1. the source's circuit breaker must allow it (else Unavailable, retry after the cool-down);
//   2. it waits for a token from the source's bucket and from the host's bucket, and for any
//      pause the source asked for (X-RateLimit-Remaining: 0 + X-RateLimit-Reset, Stack
//      Exchange `backoff` through PauseSource);
//   3. it sends the request, with If-None-Match / If-Modified-Since from `validators`;
//   4. timeouts, connection errors, 5xx and 408 are retried in place up to `max_attempts`,
//      waiting BackoffMs (exponential, full jitter) and at least any Retry-After; each counts as
//      a breaker failure; 429 and 403 trip the breaker at once and are returned (429 as
//      ResourceExhausted with the Retry-After in the trace, so the job is retried later by the
//      queue); other 4xx are returned as permanent errors; 2xx/304 close the breaker.
//   A wait longer than `max_wait_ms` is not slept: the transient error is returned with
//   trace.retry_after_ms so the queue reschedules the job instead of holding a worker.
//
// Waiting goes through the injected Sleeper (tests advance a FakeClock instead of sleeping; in
// production it also returns early, with the error, when the job is cancelled).
//
// Thread-safe: several jobs of one process may share a Fetcher.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "fetch/circuit_breaker.h"
#include "fetch/conditional.h"
#include "fetch/http_client.h"
#include "fetch/rate_limiter.h"
#include "queue/retry_policy.h"

namespace ct {

class Clock;

struct SourceLimits {
  double requests_per_minute = 30;
  int burst = 5;
  int max_attempts = 4;  // per request, including the first
  CircuitBreakerOptions breaker;
};

struct FetcherOptions {
  double host_requests_per_second = 2;  // shared by every source fetching from one host
  int host_burst = 4;
  RetryPolicy backoff = [] {
    RetryPolicy p;
    p.base_ms = 500;
    p.cap_ms = 30'000;
    return p;
  }();
  std::int64_t max_wait_ms = 60'000;  // longer waits are left to the queue
  SourceLimits default_limits;
};

// What happened while fetching (for progress messages and the job's Retry-After).
struct FetchTrace {
  int attempts = 0;
  std::int64_t waited_ms = 0;                 // total slept (rate limits, backoff)
  std::optional<std::int64_t> retry_after_ms;  // with a transient error: when to try again
};

class Fetcher {
 public:
  // Sleeps `ms`; returns non-ok (e.g. Aborted "cancelled") to stop waiting early.
  using Sleeper = std::function<Status(std::int64_t ms)>;

  Fetcher(HttpClient& client, const Clock& clock, Sleeper sleep,
          std::function<double()> uniform01, FetcherOptions options = {});

  // Before the first Fetch for `source`; later calls replace the limits (and reset the bucket).
  void SetSourceLimits(const std::string& source, const SourceLimits& limits);

  Result<HttpResponse> Fetch(const std::string& source, HttpRequest request,
                             Validators* validators = nullptr, FetchTrace* trace = nullptr);

  // No request to `source` before `ms` from now (source-specific throttling signals).
  void PauseSource(const std::string& source, std::int64_t ms);

  CircuitBreaker& Breaker(const std::string& source);
  std::map<std::string, BreakerSnapshot> BreakerSnapshots() const;

 private:
  struct SourceState {
    SourceLimits limits;
    std::unique_ptr<TokenBucket> bucket;
    std::unique_ptr<CircuitBreaker> breaker;
    std::int64_t paused_until_ms = 0;  // monotonic
  };
  SourceState& StateLocked(const std::string& source);
  TokenBucket& HostBucketLocked(const std::string& host);
  // Waits for the source's and the host's tokens and pauses.
  Status WaitTurn(const std::string& source, const std::string& host, FetchTrace& trace);
  Status Sleep(std::int64_t ms, FetchTrace& trace);
  void NoteRateLimitHeaders(const std::string& source, const HttpResponse& response);

  HttpClient& client_;
  const Clock& clock_;
  Sleeper sleep_;
  std::function<double()> uniform01_;
  const FetcherOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, SourceState> sources_;
  std::map<std::string, std::unique_ptr<TokenBucket>> hosts_;
};

// The host of an http(s) URL, lower-cased ("" when none).
std::string UrlHost(const std::string& url);

}  // namespace ct
