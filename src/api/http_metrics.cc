#include "api/http_metrics.h"

namespace ct {

namespace {

std::size_t StatusSlot(int status) {
  return status >= 100 && status < 600 ? static_cast<std::size_t>(status) : 599;
}

}  // namespace

HttpMetrics::HttpMetrics(MetricsRegistry& registry, const Router& router) {
  for (const auto& route : router.routes()) {
    auto s = std::make_unique<Series>();
    s->route = route->pattern;
    s->method = route->method;
    s->latency = std::make_unique<Histogram>(DefaultLatencyBuckets());
    series_.push_back(std::move(s));
  }
  for (const char* name : {"unmatched", "rejected"}) {
    auto s = std::make_unique<Series>();
    s->route = name;
    series_.push_back(std::move(s));
  }
  registry.AddCollector([this](std::string& out) { Render(out); });
}

void HttpMetrics::Observe(const Route* route, int status, double seconds) {
  Series& s = route != nullptr && route->index < series_.size() - 2 ? *series_[route->index]
                                                                    : *series_[series_.size() - 2];
  s.by_status[StatusSlot(status)].fetch_add(1, std::memory_order_relaxed);
  if (s.latency) s.latency->Observe(seconds);
}

void HttpMetrics::ObserveRejected(int status) {
  series_.back()->by_status[StatusSlot(status)].fetch_add(1, std::memory_order_relaxed);
}

void HttpMetrics::Render(std::string& out) const {
  out += "# HELP http_requests_total HTTP requests by route pattern, method and status.\n";
  out += "# TYPE http_requests_total counter\n";
  for (const auto& s : series_) {
    for (std::size_t status = 100; status < s->by_status.size(); ++status) {
      std::uint64_t n = s->by_status[status].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out += "http_requests_total" +
             FormatLabels(
                 {{"route", s->route}, {"method", s->method}, {"status", std::to_string(status)}}) +
             " " + std::to_string(n) + "\n";
    }
  }
  out += "# HELP http_request_duration_seconds Time from parsed request to response ready.\n";
  out += "# TYPE http_request_duration_seconds histogram\n";
  for (const auto& s : series_) {
    if (!s->latency) continue;
    AppendHistogram(out, "http_request_duration_seconds",
                    {{"route", s->route}, {"method", s->method}}, *s->latency);
  }
}

}  // namespace ct
