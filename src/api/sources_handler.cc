// The /sources resource. Read the config, the source state file and the store; render.
#include "api/sources_handler.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/api_errors.h"
#include "api/metrics.h"
#include "core/clock.h"
#include "core/time_format.h"
#include "sources/source_state.h"
#include "store/store.h"

namespace ct {
namespace {

using nlohmann::json;

json Time(std::int64_t unix_seconds) {
  return unix_seconds > 0 ? json(FormatIso8601(unix_seconds)) : json(nullptr);
}

// An open circuit whose cool-down is over lets the next request probe: half-open.
std::string_view EffectiveState(const BreakerSnapshot& b, std::int64_t now_ms) {
  if (b.state == BreakerState::kOpen && b.open_until_ms <= now_ms)
    return BreakerStateName(BreakerState::kHalfOpen);
  return BreakerStateName(b.state);
}

json SourceJson(const SourceConfig& c, const SourceState& s, std::int64_t posts,
                std::int64_t now_ms) {
  json queries = json::array();
  std::int64_t last_success = 0, last_run = 0;
  json last_error = nullptr;
  std::int64_t last_error_at = 0;
  // The configured queries first (in order), then any other query the state remembers.
  std::vector<std::string> names = c.queries;
  for (const auto& [q, _] : s.queries)
    if (std::find(names.begin(), names.end(), q) == names.end()) names.push_back(q);
  for (const std::string& q : names) {
    auto it = s.queries.find(q);
    const QueryState qs = it == s.queries.end() ? QueryState{} : it->second;
    queries.push_back({{"query", q},
                       {"cursor", qs.cursor ? Time(*qs.cursor) : json(nullptr)},
                       {"last_run", Time(qs.last_run)},
                       {"last_success", Time(qs.last_success)},
                       {"last_error", qs.last_error.empty() ? json(nullptr) : json(qs.last_error)}});
    last_success = std::max(last_success, qs.last_success);
    last_run = std::max(last_run, qs.last_run);
    if (!qs.last_error.empty() && qs.last_run >= last_error_at) {
      last_error = qs.last_error;
      last_error_at = qs.last_run;
    }
  }
  json breaker = {{"state", "closed"}, {"consecutive_failures", 0}, {"open_until", nullptr},
                  {"last_error", nullptr}};
  if (s.breaker) {
    breaker = {{"state", std::string(EffectiveState(*s.breaker, now_ms))},
               {"consecutive_failures", s.breaker->consecutive_failures},
               {"open_until", s.breaker->state == BreakerState::kOpen
                                  ? Time(s.breaker->open_until_ms / 1000)
                                  : json(nullptr)},
               {"last_error", s.breaker->last_error.empty() ? json(nullptr)
                                                            : json(s.breaker->last_error)}};
  }
  return {{"name", c.name},
          {"kind", c.kind},
          {"enabled", c.enabled},
          {"schedule", c.schedule.empty() ? json(nullptr) : json(c.schedule)},
          {"queries", queries},
          {"last_run", Time(last_run)},
          {"last_success", Time(last_success)},
          // The most recent run's error, when that run failed.
          {"last_error", last_success >= last_error_at ? json(nullptr) : last_error},
          {"breaker", breaker},
          {"posts", posts}};
}

}  // namespace

Status RegisterSourceRoutes(Router& router, ApiContext& context, SourcesDeps& deps) {
  Store& store = context.store;
  const Clock& clock = context.clock;
  auto state = std::make_shared<SourceStateFile>(deps.state_path);

  context.metrics.AddCollector([&deps, state, &clock](std::string& out) {
    auto all = state->LoadAll();
    if (!all.ok()) return;
    out += "# HELP complaints_source_breaker_open 1 while the source's circuit breaker is open\n"
           "# TYPE complaints_source_breaker_open gauge\n";
    for (const SourceConfig& c : deps.sources) {
      auto it = all->find(c.name);
      const bool open = it != all->end() && it->second.breaker &&
                        EffectiveState(*it->second.breaker, clock.NowMillis()) == "open";
      out += "complaints_source_breaker_open" + FormatLabels({{"source", c.name}}) +
             (open ? " 1\n" : " 0\n");
    }
    // For the SourceFailing / NoScrapeSucceeded alerts: the newest success of any query (only
    // once there is one), and how many queries failed on their last run.
    out += "# HELP complaints_source_last_success_timestamp_seconds Newest successful scrape\n"
           "# TYPE complaints_source_last_success_timestamp_seconds gauge\n";
    std::string failing =
        "# HELP complaints_source_failing_queries Queries whose last scrape failed\n"
        "# TYPE complaints_source_failing_queries gauge\n";
    for (const SourceConfig& c : deps.sources) {
      std::int64_t last_success = 0, failed = 0;
      if (auto it = all->find(c.name); it != all->end()) {
        for (const auto& [query, q] : it->second.queries) {
          last_success = std::max(last_success, q.last_success);
          if (q.last_run > q.last_success) ++failed;
        }
      }
      const std::string labels = FormatLabels({{"source", c.name}});
      if (last_success > 0)
        out += "complaints_source_last_success_timestamp_seconds" + labels + " " +
               std::to_string(last_success) + "\n";
      failing += "complaints_source_failing_queries" + labels + " " + std::to_string(failed) + "\n";
    }
    out += failing;
  });

  return router.Add(
      {"GET", "/sources", Access::kRead,
       "Configured sources: state, cursors, breaker, posts collected",
       R"({"responses":{"200":{"description":"{\"sources\":[{name, kind, enabled, schedule, queries:[{query, cursor, last_run, last_success, last_error}], last_run, last_success, last_error, breaker:{state, consecutive_failures, open_until, last_error}, posts}]}"}}})",
       // Generic: fetch/ (via source_state.h) has types named like the API's HttpRequest.
       [&deps, &store, &clock, state](const auto&, const auto&) {
         auto all = state->LoadAll();
         if (!all.ok()) return ErrorResponse(all.status());
         PostFilter everything;
         everything.false_positive = std::nullopt;
         auto stats = store.Stats(everything, StatsBucket::kMonth);
         if (!stats.ok()) return ErrorResponse(stats.status());
         json sources = json::array();
         const std::int64_t now_ms = clock.NowMillis();
         for (const SourceConfig& c : deps.sources) {
           std::int64_t posts = 0;
           for (const CountByKey& k : stats->by_source)
             if (k.key == c.name) posts = k.count;
           auto it = all->find(c.name);
           sources.push_back(SourceJson(c, it == all->end() ? SourceState{} : it->second, posts, now_ms));
         }
         return JsonResponse(json{{"sources", std::move(sources)}}.dump());
       }});
}

}  // namespace ct
