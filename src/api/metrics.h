// Metrics: counters, gauges and histograms rendered in the Prometheus text exposition format
// (version 0.0.4) at GET /metrics. Any module can register its own series on the registry it is
// handed (the API server owns one), or add a collector that renders a whole family itself.
//
// Thread safety: registration takes a lock (do it at start-up, keep the returned reference);
// updating a series is a few relaxed atomic operations, safe from any thread, no lock.
// Returned references stay valid for the registry's lifetime.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ct {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Cumulative buckets as Prometheus expects them; `bounds` ascending upper bounds (+Inf implied).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  const std::vector<double>& bounds() const { return bounds_; }
  // Per-bucket (non-cumulative) counts, the last one being +Inf.
  std::vector<std::uint64_t> BucketCounts() const;
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, 0.5 ms .. 10 s.
std::vector<double> DefaultLatencyBuckets();

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();

  // Name and label names must match [a-zA-Z_:][a-zA-Z0-9_:]*; registering a name twice with
  // another type, or the same labels twice, throws std::invalid_argument (a programming error).
  Counter& AddCounter(const std::string& name, const std::string& help, MetricLabels labels = {});
  Gauge& AddGauge(const std::string& name, const std::string& help, MetricLabels labels = {});
  Histogram& AddHistogram(const std::string& name, const std::string& help, MetricLabels labels,
                          std::vector<double> bounds);
  // A collector appends complete families (# HELP, # TYPE and samples) to `out` at render time.
  void AddCollector(std::function<void(std::string& out)> collector);

  std::string Render() const;

 private:
  struct Family;
  Family& FamilyFor(const std::string& name, const std::string& help, const char* type,
                    const MetricLabels& labels);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;
  std::vector<std::function<void(std::string&)>> collectors_;
};

// Helpers for collectors.
// Escapes a label value (backslash, double quote, newline).
std::string EscapeLabelValue(std::string_view value);
// {a="x",b="y"} (empty string for no labels); `extra` appended last (e.g. le="0.1").
std::string FormatLabels(const MetricLabels& labels, const MetricLabels& extra = {});
// Prometheus float formatting: "+Inf", "-Inf", "NaN", else shortest round-trip.
std::string FormatMetricValue(double value);
void AppendHistogram(std::string& out, const std::string& name, const MetricLabels& labels,
                     const Histogram& h);

}  // namespace ct
