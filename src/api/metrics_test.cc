#include "api/metrics.h"

#include <gtest/gtest.h>

#include <thread>

#include "api/http_metrics.h"

namespace ct {
namespace {

TEST(MetricsTest, RendersPrometheusTextFormat) {
  MetricsRegistry registry;
  Counter& c = registry.AddCounter("jobs_total", "Jobs run.", {{"kind", "scrape \"x\"\n"}});
  Gauge& g = registry.AddGauge("queue_depth", "Queued jobs.");
  Histogram& h = registry.AddHistogram("job_seconds", "Job time.", {}, {0.1, 1});
  c.Inc(3);
  g.Set(2.5);
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(7);
  EXPECT_EQ(registry.Render(),
            "# HELP jobs_total Jobs run.\n"
            "# TYPE jobs_total counter\n"
            "jobs_total{kind=\"scrape \\\"x\\\"\\n\"} 3\n"
            "# HELP queue_depth Queued jobs.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 2.5\n"
            "# HELP job_seconds Job time.\n"
            "# TYPE job_seconds histogram\n"
            "job_seconds_bucket{le=\"0.1\"} 1\n"
            "job_seconds_bucket{le=\"1\"} 2\n"
            "job_seconds_bucket{le=\"+Inf\"} 3\n"
            "job_seconds_sum 7.55\n"
            "job_seconds_count 3\n");
}

TEST(MetricsTest, RejectsBadNamesAndConflictingTypes) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.AddCounter("bad-name", "x"), std::invalid_argument);
  registry.AddCounter("a_total", "x");
  EXPECT_THROW(registry.AddGauge("a_total", "x"), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("a_total", "x"), std::invalid_argument);  // same labels
  EXPECT_NO_THROW(registry.AddCounter("a_total", "x", {{"k", "v"}}));
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  MetricsRegistry registry;
  Counter& c = registry.AddCounter("hits_total", "x");
  Histogram& h = registry.AddHistogram("lat", "x", {}, DefaultLatencyBuckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Inc();
        h.Observe(0.002);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
  EXPECT_EQ(h.count(), 40000u);
}

TEST(HttpMetricsTest, CountsPerRouteAndStatus) {
  Router router;
  ASSERT_TRUE(router
                  .Add({"GET", "/posts/{id}", Access::kRead, "", "",
                        [](const HttpRequest&, const RequestContext&) { return HttpResponse{}; }})
                  .ok());
  MetricsRegistry registry;
  HttpMetrics metrics(registry, router);
  const Route* route = router.routes()[0].get();
  metrics.Observe(route, 200, 0.003);
  metrics.Observe(route, 200, 0.02);
  metrics.Observe(route, 404, 0.001);
  metrics.Observe(nullptr, 404, 0.001);
  metrics.ObserveRejected(413);
  std::string text = registry.Render();
  EXPECT_NE(
      text.find("http_requests_total{route=\"/posts/{id}\",method=\"GET\",status=\"200\"} 2\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("http_requests_total{route=\"/posts/{id}\",method=\"GET\",status=\"404\"} 1\n"),
      std::string::npos);
  EXPECT_NE(text.find("http_requests_total{route=\"unmatched\",method=\"\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("http_requests_total{route=\"rejected\",method=\"\",status=\"413\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("http_request_duration_seconds_bucket{route=\"/posts/{id}\",method=\"GET\","
                      "le=\"0.005\"} 2\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("http_request_duration_seconds_count{route=\"/posts/{id}\",method=\"GET\"} 3\n"),
      std::string::npos);
}

}  // namespace
}  // namespace ct
