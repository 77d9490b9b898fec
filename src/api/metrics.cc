#include "api/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <variant>

namespace ct {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  std::size_t i = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                           bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::BucketCounts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = buckets_[i].load(std::memory_order_relaxed);
  }
  return out;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatLabels(const MetricLabels& labels, const MetricLabels& extra) {
  if (labels.empty() && extra.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto* list : {&labels, &extra}) {
    for (const auto& [k, v] : *list) {
      if (!first) out += ',';
      first = false;
      out += k;
      out += "=\"";
      out += EscapeLabelValue(v);
      out += '"';
    }
  }
  out += '}';
  return out;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, r.ptr);
}

void AppendHistogram(std::string& out, const std::string& name, const MetricLabels& labels,
                     const Histogram& h) {
  std::vector<std::uint64_t> counts = h.BucketCounts();
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    std::string le = i < h.bounds().size() ? FormatMetricValue(h.bounds()[i]) : "+Inf";
    out += name + "_bucket" + FormatLabels(labels, {{"le", le}}) + " " +
           std::to_string(cumulative) + "\n";
  }
  // _count is the +Inf bucket so the exposition is self-consistent even under concurrent
  // updates (count_ may run ahead of the buckets by an in-flight observation).
  out += name + "_sum" + FormatLabels(labels) + " " + FormatMetricValue(h.sum()) + "\n";
  out += name + "_count" + FormatLabels(labels) + " " + std::to_string(cumulative) + "\n";
}

namespace {

bool ValidName(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace

struct MetricsRegistry::Family {
  std::string name;
  std::string help;
  std::string type;  // counter | gauge | histogram
  struct Series {
    MetricLabels labels;
    std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<Histogram>>
        metric;
  };
  std::vector<Series> series;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Family& MetricsRegistry::FamilyFor(const std::string& name,
                                                    const std::string& help, const char* type,
                                                    const MetricLabels& labels) {
  if (!ValidName(name)) throw std::invalid_argument("invalid metric name '" + name + "'");
  for (const auto& [k, v] : labels) {
    if (!ValidName(k) || k == "le") {
      throw std::invalid_argument("invalid label name '" + k + "' on " + name);
    }
  }
  for (auto& f : families_) {
    if (f->name != name) continue;
    if (f->type != type) {
      throw std::invalid_argument("metric " + name + " registered as " + f->type + " and " + type);
    }
    for (const auto& s : f->series) {
      if (s.labels == labels) {
        throw std::invalid_argument("metric " + name + FormatLabels(labels) + " registered twice");
      }
    }
    return *f;
  }
  auto f = std::make_unique<Family>();
  f->name = name;
  f->help = help;
  f->type = type;
  families_.push_back(std::move(f));
  return *families_.back();
}

Counter& MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                     MetricLabels labels) {
  std::lock_guard lock(mu_);
  Family& f = FamilyFor(name, help, "counter", labels);
  auto c = std::make_unique<Counter>();
  Counter& ref = *c;
  f.series.push_back({std::move(labels), std::move(c)});
  return ref;
}

Gauge& MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                 MetricLabels labels) {
  std::lock_guard lock(mu_);
  Family& f = FamilyFor(name, help, "gauge", labels);
  auto g = std::make_unique<Gauge>();
  Gauge& ref = *g;
  f.series.push_back({std::move(labels), std::move(g)});
  return ref;
}

Histogram& MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                         MetricLabels labels, std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  Family& f = FamilyFor(name, help, "histogram", labels);
  auto h = std::make_unique<Histogram>(std::move(bounds));
  Histogram& ref = *h;
  f.series.push_back({std::move(labels), std::move(h)});
  return ref;
}

void MetricsRegistry::AddCollector(std::function<void(std::string& out)> collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string MetricsRegistry::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& f : families_) {
    out += "# HELP " + f->name + " " + f->help + "\n";
    out += "# TYPE " + f->name + " " + f->type + "\n";
    for (const auto& s : f->series) {
      if (auto* c = std::get_if<std::unique_ptr<Counter>>(&s.metric)) {
        out += f->name + FormatLabels(s.labels) + " " + std::to_string((*c)->value()) + "\n";
      } else if (auto* g = std::get_if<std::unique_ptr<Gauge>>(&s.metric)) {
        out += f->name + FormatLabels(s.labels) + " " + FormatMetricValue((*g)->value()) + "\n";
      } else if (auto* h = std::get_if<std::unique_ptr<Histogram>>(&s.metric)) {
        AppendHistogram(out, f->name, s.labels, **h);
      }
    }
  }
  for (const auto& collect : collectors_) collect(out);
  return out;
}

}  // namespace ct
