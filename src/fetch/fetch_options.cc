#include "fetch/fetch_options.h"

namespace ct {

Result<HttpClientOptions> HttpClientOptionsFromConfig(const FetchConfig& fetch) {
  HttpClientOptions o;
  o.connect_timeout_ms = fetch.connect_timeout_ms;
  o.timeout_ms = fetch.timeout_ms;
  o.max_redirects = fetch.max_redirects;
  o.max_body_bytes = fetch.max_body_bytes;
  o.proxy = fetch.proxy;
  o.user_agent = fetch.user_agent;
  CT_ASSIGN_OR_RETURN(o.guard, SsrfGuard::FromStrings(fetch.allow_networks));
  return o;
}

FetcherOptions FetcherOptionsFromConfig(const FetchConfig& fetch) {
  FetcherOptions o;
  o.host_requests_per_second = fetch.host_requests_per_second;
  return o;
}

SourceLimits SourceLimitsFromConfig(const SourceConfig& source) {
  SourceLimits l;
  l.requests_per_minute = source.requests_per_minute;
  l.burst = source.burst;
  l.breaker.failure_threshold = source.breaker_failures;
  l.breaker.cooldown_ms = static_cast<std::int64_t>(source.breaker_cooldown_s) * 1000;
  return l;
}

}  // namespace ct
