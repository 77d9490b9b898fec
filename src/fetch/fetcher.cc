#include "fetch/fetcher.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/clock.h"
#include "fetch/http_date.h"

namespace ct {
namespace {

std::optional<std::int64_t> HeaderInt(const HttpResponse& r, std::string_view name) {
  auto v = r.Header(name);
  if (!v) return std::nullopt;
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc()) return std::nullopt;
  return out;
}

}  // namespace

std::string UrlHost(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  std::size_t start = scheme + 3;
  std::size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  if (!authority.empty() && authority[0] == '[') {
    authority = authority.substr(0, authority.find(']') + 1);
  } else if (auto colon = authority.find(':'); colon != std::string::npos) {
    authority = authority.substr(0, colon);
  }
  std::transform(authority.begin(), authority.end(), authority.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return authority;
}

Fetcher::Fetcher(HttpClient& client, const Clock& clock, Sleeper sleep,
                 std::function<double()> uniform01, FetcherOptions options)
    : client_(client),
      clock_(clock),
      sleep_(std::move(sleep)),
      uniform01_(std::move(uniform01)),
      options_(options) {}

Fetcher::SourceState& Fetcher::StateLocked(const std::string& source) {
  auto it = sources_.find(source);
  if (it == sources_.end()) {
    SourceState s;
    s.limits = options_.default_limits;
    s.bucket = std::make_unique<TokenBucket>(s.limits.requests_per_minute / 60.0, s.limits.burst,
                                             clock_);
    s.breaker = std::make_unique<CircuitBreaker>(source, s.limits.breaker, clock_);
    it = sources_.emplace(source, std::move(s)).first;
  }
  return it->second;
}

void Fetcher::SetSourceLimits(const std::string& source, const SourceLimits& limits) {
  std::lock_guard lock(mu_);
  SourceState& s = StateLocked(source);
  const BreakerSnapshot snapshot = s.breaker->Snapshot();
  s.limits = limits;
  s.bucket = std::make_unique<TokenBucket>(limits.requests_per_minute / 60.0, limits.burst, clock_);
  s.breaker = std::make_unique<CircuitBreaker>(source, limits.breaker, clock_);
  s.breaker->Restore(snapshot);
}

TokenBucket& Fetcher::HostBucketLocked(const std::string& host) {
  auto& b = hosts_[host];
  if (!b)
    b = std::make_unique<TokenBucket>(options_.host_requests_per_second, options_.host_burst,
                                      clock_);
  return *b;
}

CircuitBreaker& Fetcher::Breaker(const std::string& source) {
  std::lock_guard lock(mu_);
  return *StateLocked(source).breaker;
}

std::map<std::string, BreakerSnapshot> Fetcher::BreakerSnapshots() const {
  std::lock_guard lock(mu_);
  std::map<std::string, BreakerSnapshot> out;
  for (const auto& [name, s] : sources_) out[name] = s.breaker->Snapshot();
  return out;
}

void Fetcher::PauseSource(const std::string& source, std::int64_t ms) {
  std::lock_guard lock(mu_);
  SourceState& s = StateLocked(source);
  s.paused_until_ms = std::max(s.paused_until_ms, clock_.MonotonicMicros() / 1000 + ms);
}

Status Fetcher::Sleep(std::int64_t ms, FetchTrace& trace) {
  if (ms <= 0) return Status::Ok();
  trace.waited_ms += ms;
  return sleep_(ms);
}

Status Fetcher::WaitTurn(const std::string& source, const std::string& host, FetchTrace& trace) {
  for (;;) {
    std::int64_t wait_ms = 0;
    {
      std::lock_guard lock(mu_);
      SourceState& s = StateLocked(source);
      const std::int64_t now_ms = clock_.MonotonicMicros() / 1000;
      if (s.paused_until_ms > now_ms) {
        wait_ms = s.paused_until_ms - now_ms;
      } else if (std::int64_t w = s.bucket->TryAcquire(); w > 0) {
        wait_ms = (w + 999) / 1000;
      } else if (std::int64_t h = HostBucketLocked(host).TryAcquire(); h > 0) {
        // The source token is spent; the host wait is short, so keep it rather than refund.
        wait_ms = (h + 999) / 1000;
        CT_RETURN_IF_ERROR(Sleep(wait_ms, trace));
        continue;
      } else {
        return Status::Ok();
      }
    }
    if (wait_ms > options_.max_wait_ms) {
      trace.retry_after_ms = wait_ms;
      return Status::ResourceExhausted("source " + source + " is rate limited for another " +
                                       std::to_string(wait_ms / 1000) + " s");
    }
    CT_RETURN_IF_ERROR(Sleep(wait_ms, trace));
  }
}

void Fetcher::NoteRateLimitHeaders(const std::string& source, const HttpResponse& r) {
  auto remaining = HeaderInt(r, "x-ratelimit-remaining");
  auto reset = HeaderInt(r, "x-ratelimit-reset");
  if (!remaining || *remaining > 0 || !reset) return;
  // GitHub sends an epoch second; others (Reddit) seconds from now.
  const std::int64_t now_s = clock_.NowSeconds();
  const std::int64_t wait_s = *reset > 1'000'000'000 ? *reset - now_s : *reset;
  if (wait_s > 0) PauseSource(source, wait_s * 1000);
}

Result<HttpResponse> Fetcher::Fetch(const std::string& source, HttpRequest request,
                                    Validators* validators, FetchTrace* trace_out) {
  FetchTrace local;
  FetchTrace& trace = trace_out ? *trace_out : local;
  const std::string host = UrlHost(request.url);
  CircuitBreaker* breaker;
  int max_attempts;
  {
    std::lock_guard lock(mu_);
    SourceState& s = StateLocked(source);
    breaker = s.breaker.get();
    max_attempts = std::max(1, s.limits.max_attempts);
  }
  if (validators) validators->ApplyTo(request);

  Status last;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    if (Status allowed = breaker->Allow(); !allowed.ok()) {
      trace.retry_after_ms = breaker->RetryAfterMs();
      return allowed;
    }
    CT_RETURN_IF_ERROR(WaitTurn(source, host, trace));
    ++trace.attempts;
    Result<HttpResponse> r = client_.Send(request);
    std::optional<std::int64_t> retry_after;
    if (!r.ok()) {
      last = r.status().WithContext("source " + source);
      if (!last.transient()) return last;  // SSRF refusal, bad URL: not the source's fault
      breaker->RecordFailure(last);
    } else {
      const HttpResponse& resp = *r;
      Status st = HttpStatusToStatus(resp.status, "source " + source, request.url);
      if (auto ra = resp.Header("retry-after")) retry_after = ParseRetryAfterMs(*ra, clock_.NowSeconds());
      if (st.ok()) {
        breaker->RecordSuccess();
        NoteRateLimitHeaders(source, resp);
        if (validators) validators->UpdateFrom(resp);
        return r;
      }
      if (resp.status == 429 || resp.status == 403) {
        breaker->Trip(st, retry_after.value_or(0));
        trace.retry_after_ms = resp.status == 429 ? std::optional(breaker->RetryAfterMs())
                                                  : std::nullopt;
        return st;
      }
      if (!st.transient()) {
        breaker->RecordSuccess();  // the source answered; the request was wrong
        return st;
      }
      last = st;
      breaker->RecordFailure(st);
    }
    if (attempt == max_attempts) break;
    if (breaker->state() == BreakerState::kOpen) {
      trace.retry_after_ms = breaker->RetryAfterMs();
      return last.WithContext("circuit open after " + std::to_string(trace.attempts) +
                              " attempts");
    }
    const std::int64_t delay = BackoffMs(options_.backoff, attempt, retry_after, uniform01_);
    if (delay > options_.max_wait_ms) {
      trace.retry_after_ms = delay;
      return last;
    }
    CT_RETURN_IF_ERROR(Sleep(delay, trace));
  }
  trace.retry_after_ms = breaker->RetryAfterMs() > 0 ? std::optional(breaker->RetryAfterMs())
                                                     : std::nullopt;
  return last.WithContext("after " + std::to_string(trace.attempts) + " attempts");
}

}  // namespace ct
