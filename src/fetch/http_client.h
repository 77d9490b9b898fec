// HttpClient: one HTTP GET (or POST, or DELETE) with every limit a scraper needs, and nothing else.
// Politeness (rate limits, retries, circuit breaker, conditional requests) lives in Fetcher
// (fetch/fetcher.h), on top of this interface.
//
// CurlHttpClient (MakeCurlHttpClient) enforces on every request: a connect timeout and a total
// deadline, at most `max_redirects` redirects (http/https only), transparent gzip/deflate/br
// decoding, a cap on the *decoded* body size, an optional proxy, a User-Agent, and the SSRF guard
// on every socket it opens (after DNS, at every redirect hop; with a proxy, the proxy address).
//
// Errors (Status): DeadlineExceeded on timeout; Unavailable on connection/DNS/TLS failures and
// truncated bodies; PermissionDenied when the SSRF guard refuses an address; ResourceExhausted
// when the body exceeds the cap; FailedPrecondition on too many redirects; InvalidArgument on a
// malformed URL. Any HTTP status (including 4xx/5xx) is a successful HttpResponse: mapping it to
// a Status is the caller's choice (HttpStatusToStatus).
//
// Thread safety: a CurlHttpClient may be used from several threads (one easy handle per call).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "fetch/ssrf_guard.h"

namespace ct {

// The API server (api/http_types.h) has types of the same names: this inline namespace gives
// the client's their own linker names, so the two never clash in one binary (ODR).
inline namespace http_fetch {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";  // GET, POST or DELETE
  std::string url;
  HttpHeaders headers;        // sent as given
  std::string body;           // POST only
  int timeout_ms = 0;         // 0 = the client's default total timeout
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;     // of the final response; names lower-cased
  std::string body;        // decoded
  std::string final_url;   // after redirects
  int redirects = 0;

  // The first header with this (lower-case) name.
  std::optional<std::string> Header(std::string_view name) const;
};

}  // namespace http_fetch

struct HttpClientOptions {
  int connect_timeout_ms = 10'000;
  int timeout_ms = 30'000;                    // total, per request, unless the request says less
  int max_redirects = 5;
  std::int64_t max_body_bytes = 10 << 20;     // decoded bytes
  std::string proxy;                          // e.g. "http://proxy:3128"; empty = none
  std::string user_agent = "complaints-tracker/0.1 (+https://github.com/complaints-tracker)";
  SsrfGuard guard;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

std::unique_ptr<HttpClient> MakeCurlHttpClient(HttpClientOptions options);

// 2xx and 304 -> Ok. 429 -> ResourceExhausted, 5xx/408 -> Unavailable (transient);
// 401 Unauthenticated, 403 PermissionDenied, 404/410 NotFound, other 4xx InvalidArgument, other
// codes Internal (permanent). The message names `what` (e.g. the source) and the URL.
Status HttpStatusToStatus(int status, const std::string& what, const std::string& url);

}  // namespace ct
