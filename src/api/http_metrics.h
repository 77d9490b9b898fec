// HttpMetrics: request counters per route pattern, method and status, and a latency histogram per
// route, exported through a MetricsRegistry collector:
//   http_requests_total{route,method,status}, http_request_duration_seconds{route,method},
// plus requests matching no route (route="unmatched") and requests rejected by the server before
// routing (route="rejected": 400/413/431).
// Thread safety: Observe* are lock-free (relaxed atomics in arrays indexed by route and status).
// Construct after every route is registered; the object must outlive rendering of `registry`.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "api/metrics.h"
#include "api/router.h"

namespace ct {

class HttpMetrics {
 public:
  HttpMetrics(MetricsRegistry& registry, const Router& router);
  HttpMetrics(const HttpMetrics&) = delete;
  HttpMetrics& operator=(const HttpMetrics&) = delete;

  // `route` may be null for requests that matched no route.
  void Observe(const Route* route, int status, double seconds);
  void ObserveRejected(int status);

 private:
  struct Series {
    std::string route;
    std::string method;
    std::array<std::atomic<std::uint64_t>, 600> by_status{};
    std::unique_ptr<Histogram> latency;  // null for unmatched / rejected
  };
  void Render(std::string& out) const;

  std::vector<std::unique_ptr<Series>> series_;  // one per route, then unmatched, rejected
};

}  // namespace ct
