// The /jobs resource. Parse, call the JobQueue, render.
#include "api/jobs_handler.h"

#include <charconv>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "api/api_errors.h"
#include "api/metrics.h"
#include "core/clock.h"
#include "core/time_format.h"
#include "domain/job.h"
#include "queue/job_queue.h"

namespace ct {
namespace {

using nlohmann::json;

json Millis(std::optional<UnixMillis> ms) {
  if (!ms) return nullptr;
  // ISO 8601 with milliseconds: job timings matter below a second.
  std::string s = FormatIso8601(*ms / 1000);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(((*ms % 1000) + 1000) % 1000));
  s.replace(s.size() - 1, 1, frac);
  return s;
}

json ParseOrString(const std::string& text) {
  if (text.empty()) return nullptr;
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json(text) : j;
}

json JobJson(const Job& j) {
  json out = {
      {"id", j.id},
      {"type", j.type},
      {"queue", j.queue},
      {"payload", ParseOrString(j.payload_json)},
      {"priority", j.priority},
      {"state", JobStateName(j.state)},
      {"unique_key", j.unique_key.empty() ? json(nullptr) : json(j.unique_key)},
      {"attempts", j.attempts},
      {"errors", j.errors},
      {"max_attempts", j.max_attempts},
      {"crashes", j.crashes},
      {"max_crashes", j.max_crashes},
      {"timeout_s", j.timeout_s},
      {"created_at", Millis(j.created_at)},
      {"run_at", Millis(j.run_at)},
      {"started_at", Millis(j.started_at)},
      {"finished_at", Millis(j.finished_at)},
      {"heartbeat_at", Millis(j.heartbeat_at)},
      {"lease_expires_at", Millis(j.lease_expires_at)},
      {"worker_id", j.worker_id.empty() ? json(nullptr) : json(j.worker_id)},
      {"progress",
       {{"done", j.progress.done},
        {"total", j.progress.total},
        {"message", j.progress.message},
        {"fraction", j.progress.total > 0
                         ? json(static_cast<double>(j.progress.done) / j.progress.total)
                         : json(nullptr)}}},
      {"result", ParseOrString(j.result_json)},
      {"last_error", j.last_error.empty() ? json(nullptr) : json(j.last_error)},
      {"last_failure", j.last_failure ? json(FailureKindName(*j.last_failure)) : json(nullptr)},
      {"exit_signal", j.exit_signal ? json(*j.exit_signal) : json(nullptr)},
      {"cancel_requested", j.cancel_requested},
  };
  return out;
}

json EventJson(const JobEvent& e) {
  return {{"job_id", e.job_id}, {"at", Millis(e.at)}, {"kind", e.kind},
          {"detail", ParseOrString(e.detail_json)}};
}

HttpResponse Json(const json& j, int status = 200) { return JsonResponse(j.dump(), status); }

Result<json> ParseBody(const HttpRequest& req, bool allow_empty) {
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (allow_empty) return json::object();
    return Status::InvalidArgument("request body must be a JSON object");
  }
  if (auto type = req.headers.Get("Content-Type");
      type && type->substr(0, 16) != "application/json")
    return Status::InvalidArgument("Content-Type must be application/json, got '" +
                                   std::string(*type) + "'");
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return Status::InvalidArgument("request body is not valid JSON");
  if (!body.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  return body;
}

// Reads the allowed fields of a JSON body, naming unknown ones and type errors.
class BodyReader {
 public:
  BodyReader(const json& body, std::initializer_list<const char*> allowed) : body_(body) {
    for (const auto& [k, v] : body.items()) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || k == a;
      if (!ok && status_.ok()) status_ = Status::InvalidArgument("unknown field '" + k + "'");
    }
  }
  const json* Get(const char* key) {
    auto it = body_.find(key);
    return it == body_.end() || it->is_null() ? nullptr : &*it;
  }
  void String(const char* key, std::string& out, bool required = false) {
    const json* v = Get(key);
    if (!v) {
      if (required) Fail(std::string("field '") + key + "' is required");
      return;
    }
    if (!v->is_string() || v->get<std::string>().empty())
      return Fail(std::string("field '") + key + "' must be a non-empty string");
    out = v->get<std::string>();
  }
  void Int(const char* key, int& out, int lo, int hi) {
    const json* v = Get(key);
    if (!v) return;
    if (!v->is_number_integer() || v->get<std::int64_t>() < lo || v->get<std::int64_t>() > hi)
      return Fail(std::string("field '") + key + "' must be an integer from " +
                  std::to_string(lo) + " to " + std::to_string(hi));
    out = v->get<int>();
  }
  void StringList(const char* key, json& out) {
    const json* v = Get(key);
    if (!v) return;
    bool ok = v->is_array();
    if (ok)
      for (const auto& item : *v) ok = ok && item.is_string() && !item.get<std::string>().empty();
    if (!ok) return Fail(std::string("field '") + key + "' must be an array of non-empty strings");
    out[key] = *v;
  }
  void Fail(std::string m) {
    if (status_.ok()) status_ = Status::InvalidArgument(std::move(m));
  }
  const Status& status() const { return status_; }

 private:
  const json& body_;
  Status status_;
};

Result<int> ParseLimit(const HttpRequest& req) {
  auto it = req.query.find("limit");
  if (it == req.query.end()) return 50;
  int v = 0;
  const std::string& s = it->second;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1 || v > 200)
    return Status::InvalidArgument("limit must be an integer from 1 to 200, got '" + s + "'");
  return v;
}

Status CheckParams(const HttpRequest& req, std::initializer_list<const char*> allowed) {
  for (const auto& [k, v] : req.query) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) return Status::InvalidArgument("unknown parameter '" + k + "'");
    if (req.query.count(k) > 1)
      return Status::InvalidArgument("parameter '" + k + "' given more than once");
  }
  return Status::Ok();
}

std::string PathId(const HttpRequest& req) {
  auto it = req.path_params.find("id");
  return it == req.path_params.end() ? "" : it->second;
}

// Job metrics derived from the durable event feed, caught up at each scrape of /metrics, so
// they count what every worker process did, not only this one.
class JobEventMetrics {
 public:
  JobEventMetrics(JobQueue& queue, MetricsRegistry& registry) : queue_(queue) {
    retries_ = &registry.AddCounter("complaints_job_retries_total",
                                    "Attempts that failed transiently and were scheduled again");
    rescues_ = &registry.AddCounter("complaints_job_rescues_total",
                                    "Attempts that crashed or lost their lease and were requeued");
  }

  void CatchUp(MetricsRegistry& registry) {
    std::lock_guard lock(mu_);
    if (!started_) {
      auto r = queue_.EventsSince("", 1);
      if (!r.ok()) return;
      cursor_ = r->second;
      started_ = true;
    }
    for (int round = 0; round < 20; ++round) {
      auto r = queue_.EventsSince(cursor_, 500);
      if (!r.ok()) return;
      cursor_ = r->second;
      for (const JobEvent& e : r->first) Apply(e, registry);
      if (r->first.size() < 500) break;
    }
  }

 private:
  void Apply(const JobEvent& e, MetricsRegistry& registry) {
    if (e.kind == "claimed") {
      if (claimed_at_.size() > 100'000) claimed_at_.clear();  // bound memory; durations degrade
      claimed_at_[e.job_id] = e.at;
      return;
    }
    if (e.kind == "retried") retries_->Inc();
    if (e.kind == "rescued") rescues_->Inc();
    if (e.kind != "succeeded" && e.kind != "dead" && e.kind != "cancelled" && e.kind != "retried" &&
        e.kind != "rescued")
      return;
    auto it = claimed_at_.find(e.job_id);
    if (it == claimed_at_.end()) return;
    const double seconds = static_cast<double>(e.at - it->second) / 1000.0;
    claimed_at_.erase(it);
    auto job = queue_.Get(e.job_id);
    const std::string type = job.ok() ? job->type : "unknown";
    const std::string key = type + "\n" + e.kind;
    auto h = durations_.find(key);
    if (h == durations_.end()) {
      h = durations_
              .emplace(key, &registry.AddHistogram(
                                "complaints_job_duration_seconds",
                                "Duration of job attempts by type and outcome",
                                {{"type", type}, {"outcome", e.kind}},
                                {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600}))
              .first;
    }
    h->second->Observe(seconds);
  }

  JobQueue& queue_;
  std::mutex mu_;
  bool started_ = false;
  std::string cursor_;
  std::unordered_map<std::string, UnixMillis> claimed_at_;
  std::map<std::string, Histogram*> durations_;
  Counter* retries_;
  Counter* rescues_;
};

json ReadSupervisorState(const std::string& path) {
  if (path.empty()) return nullptr;
  std::ifstream in(path);
  if (!in) return nullptr;
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  return j.is_discarded() ? json(nullptr) : j;
}

constexpr const char* kEnqueueDoc = R"json({
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "required": ["type"], "additionalProperties": false,
    "properties": {
      "type": {"type": "string"}, "payload": {"type": "object"},
      "priority": {"type": "integer", "minimum": 0, "maximum": 10},
      "run_at": {"type": "string", "format": "date-time"},
      "max_attempts": {"type": "integer", "minimum": 1, "maximum": 100},
      "unique_key": {"type": "string"}}}}}},
  "responses": {"201": {"description": "Enqueued"},
                "200": {"description": "An active job holds the unique key; it is returned"}}
})json";

constexpr const char* kListDoc = R"json({
  "parameters": [
    {"name": "state", "in": "query", "schema": {"type": "string"},
     "description": "Comma-separated states: queued, scheduled, running, retrying, succeeded, dead, cancelling, cancelled"},
    {"name": "type", "in": "query", "schema": {"type": "string"}},
    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}],
  "responses": {"200": {"description": "{items, next_cursor}"}}
})json";

}  // namespace

Status RegisterJobRoutes(Router& router, ApiContext& context, JobRoutesDeps& deps) {
  JobQueue& queue = deps.queue;
  MetricsRegistry& registry = context.metrics;
  auto event_metrics = std::make_shared<JobEventMetrics>(queue, registry);
  registry.AddCollector([&queue, &registry, event_metrics, &deps](std::string& out) {
    event_metrics->CatchUp(registry);
    auto counts = queue.Counts();
    if (counts.ok()) {
      out += "# HELP complaints_jobs Jobs per state\n# TYPE complaints_jobs gauge\n";
      for (const auto& [state, n] : counts->by_state)
        out += "complaints_jobs" + FormatLabels({{"state", state}}) + " " +
               std::to_string(n) + "\n";
      out += "# HELP complaints_jobs_oldest_queued_age_seconds Age of the oldest ready job\n"
             "# TYPE complaints_jobs_oldest_queued_age_seconds gauge\n"
             "complaints_jobs_oldest_queued_age_seconds " +
             FormatMetricValue(counts->oldest_queued_age_ms ? *counts->oldest_queued_age_ms / 1000.0
                                                            : 0.0) +
             "\n";
    }
    out += "# HELP complaints_queue_degraded 1 while the queue runs on its fallback\n"
           "# TYPE complaints_queue_degraded gauge\ncomplaints_queue_degraded " +
           std::string(queue.degraded_reason() ? "1" : "0") + "\n";
    const json sup = ReadSupervisorState(deps.supervisor_state_path);
    if (sup.is_object() && sup.contains("children") && sup["children"].is_array()) {
      out += "# HELP complaints_worker_restarts_total Restarts of each supervised child\n"
             "# TYPE complaints_worker_restarts_total counter\n";
      for (const auto& c : sup["children"]) {
        out += "complaints_worker_restarts_total" +
               FormatLabels({{"child", c.value("name", "")}, {"role", c.value("role", "")}}) +
               " " + std::to_string(c.value("restarts", 0)) + "\n";
      }
    }
  });

  auto enqueue = [&deps, &queue](EnqueueRequest req) -> HttpResponse {
    if (Status s = deps.validate(req.type, req.payload_json); !s.ok()) return ErrorResponse(s);
    auto r = queue.Enqueue(req);
    if (!r.ok()) return ErrorResponse(r.status());
    json out = JobJson(r->job);
    out["duplicate"] = r->duplicate;
    return Json(out, r->duplicate ? 200 : 201);
  };

  CT_RETURN_IF_ERROR(router.Add(Route{
      "GET", "/jobs/status", Access::kRead, "Queue health: counts, backend, workers, supervisor",
      "", [&queue, &deps](const HttpRequest& req, const RequestContext&) {
        if (Status s = CheckParams(req, {}); !s.ok()) return ErrorResponse(s);
        auto counts = queue.Counts();
        if (!counts.ok()) return ErrorResponse(counts.status());
        auto workers = queue.Workers();
        if (!workers.ok()) return ErrorResponse(workers.status());
        json by_state = json::object(), by_queue = json::object(), ws = json::array();
        for (const auto& [k, n] : counts->by_state) by_state[k] = n;
        for (const auto& [k, n] : counts->by_queue) by_queue[k] = n;
        for (const auto& w : *workers)
          ws.push_back({{"id", w.id}, {"host", w.host}, {"pid", w.pid},
                        {"concurrency", w.concurrency}, {"current_jobs", w.current_jobs},
                        {"started_at", Millis(w.started_at)},
                        {"heartbeat_at", Millis(w.heartbeat_at)}});
        const auto degraded = queue.degraded_reason();
        const json sup = ReadSupervisorState(deps.supervisor_state_path);
        return Json({{"backend", queue.backend()},
                     {"status", degraded ? "degraded" : "ok"},
                     {"degraded", degraded ? json(*degraded) : json(nullptr)},
                     {"counts", by_state},
                     {"queues", by_queue},
                     {"oldest_queued_age_s", counts->oldest_queued_age_ms
                                                 ? json(*counts->oldest_queued_age_ms / 1000.0)
                                                 : json(nullptr)},
                     {"workers", ws},
                     {"supervisor", sup.is_object() ? sup : json(nullptr)}});
      }}));

  CT_RETURN_IF_ERROR(router.Add(Route{
      "GET", "/jobs", Access::kRead, "List jobs, newest first (keyset pagination)", kListDoc,
      [&queue](const HttpRequest& req, const RequestContext&) {
        if (Status s = CheckParams(req, {"state", "type", "cursor", "limit"}); !s.ok())
          return ErrorResponse(s);
        JobFilter filter;
        if (auto it = req.query.find("state"); it != req.query.end()) {
          std::stringstream ss(it->second);
          std::string item;
          while (std::getline(ss, item, ',')) {
            auto st = ParseJobState(item);
            if (!st.ok()) return ErrorResponse(st.status());
            filter.states.push_back(*st);
          }
        }
        if (auto it = req.query.find("type"); it != req.query.end()) filter.type = it->second;
        auto limit = ParseLimit(req);
        if (!limit.ok()) return ErrorResponse(limit.status());
        std::string cursor;
        if (auto it = req.query.find("cursor"); it != req.query.end()) cursor = it->second;
        auto page = queue.List(filter, cursor, *limit);
        if (!page.ok()) return ErrorResponse(page.status());
        json items = json::array();
        for (const Job& j : page->items) items.push_back(JobJson(j));
        return Json({{"items", items},
                     {"next_cursor",
                      page->next_cursor.empty() ? json(nullptr) : json(page->next_cursor)}});
      }}));

  CT_RETURN_IF_ERROR(router.Add(Route{
      "GET", "/jobs/{id}", Access::kRead, "A job with its event log", "",
      [&queue](const HttpRequest& req, const RequestContext&) {
        if (Status s = CheckParams(req, {}); !s.ok()) return ErrorResponse(s);
        auto job = queue.Get(PathId(req));
        if (!job.ok()) return ErrorResponse(job.status());
        auto events = queue.Events(job->id);
        if (!events.ok()) return ErrorResponse(events.status());
        json out = JobJson(*job);
        out["events"] = json::array();
        for (const auto& e : *events) out["events"].push_back(EventJson(e));
        return Json(out);
      }}));

  CT_RETURN_IF_ERROR(router.Add(Route{
      "POST", "/jobs", Access::kOperator, "Enqueue a job of any registered type", kEnqueueDoc,
      [enqueue](const HttpRequest& req, const RequestContext&) {
        auto body = ParseBody(req, false);
        if (!body.ok()) return ErrorResponse(body.status());
        BodyReader r(*body, {"type", "payload", "priority", "run_at", "max_attempts", "unique_key"});
        EnqueueRequest e;
        r.String("type", e.type, true);
        if (const json* p = r.Get("payload")) {
          if (!p->is_object()) r.Fail("field 'payload' must be a JSON object");
          else e.payload_json = p->dump();
        }
        r.Int("priority", e.priority, kMinPriority, kMaxPriority);
        r.Int("max_attempts", e.max_attempts, 1, 100);
        r.String("unique_key", e.unique_key);
        if (const json* t = r.Get("run_at")) {
          auto at = t->is_string() ? ParseIso8601(t->get<std::string>())
                                   : Result<std::int64_t>(Status::InvalidArgument("x"));
          if (!at.ok()) r.Fail("field 'run_at' must be an ISO 8601 date-time");
          else e.run_at = *at * 1000;
        }
        if (!r.status().ok()) return ErrorResponse(r.status());
        return enqueue(std::move(e));
      }}));

  CT_RETURN_IF_ERROR(router.Add(Route{
      "POST", "/jobs/scrape", Access::kOperator, "Scrape one source now (one active per source+query)",
      R"json({"requestBody": {"required": true, "content": {"application/json": {"schema": {
        "type": "object", "required": ["source"], "additionalProperties": false,
        "properties": {"source": {"type": "string"}, "query": {"type": "string"},
                       "limit": {"type": "integer", "minimum": 1},
                       "priority": {"type": "integer", "minimum": 0, "maximum": 10}}}}}}})json",
      [enqueue](const HttpRequest& req, const RequestContext&) {
        auto body = ParseBody(req, false);
        if (!body.ok()) return ErrorResponse(body.status());
        BodyReader r(*body, {"source", "query", "limit", "priority"});
        std::string source, query;
        int limit = 0;
        EnqueueRequest e;
        e.type = "scrape";
        e.priority = 7;  // asked for by a person: ahead of scheduled work
        r.String("source", source, true);
        r.String("query", query);
        r.Int("limit", limit, 1, 100'000);
        r.Int("priority", e.priority, kMinPriority, kMaxPriority);
        if (!r.status().ok()) return ErrorResponse(r.status());
        json payload = {{"source", source}};
        if (!query.empty()) payload["query"] = query;
        if (limit > 0) payload["limit"] = limit;
        e.payload_json = payload.dump();
        e.unique_key = "scrape:" + source + ":" + query;
        return enqueue(std::move(e));
      }}));

  CT_RETURN_IF_ERROR(router.Add(Route{
      "POST", "/jobs/scrape-all", Access::kOperator, "Scrape every enabled source (or those given)",
      "", [enqueue](const HttpRequest& req, const RequestContext&) {
        auto body = ParseBody(req, true);
        if (!body.ok()) return ErrorResponse(body.status());
        BodyReader r(*body, {"sources", "queries"});
        json payload = json::object();
        r.StringList("sources", payload);
        r.StringList("queries", payload);
        if (!r.status().ok()) return ErrorResponse(r.status());
        EnqueueRequest e;
        e.type = "scrape_all";
        e.priority = 6;
        e.payload_json = payload.dump();
        e.unique_key = "scrape_all";
        return enqueue(std::move(e));
      }}));

  // Shortcuts that take no body: one job of `type`, at most one active at a time.
  auto no_body_route = [&](const char* path, const char* summary, const char* type, int priority) {
    return router.Add(Route{
        "POST", path, Access::kOperator, summary, "",
        [enqueue, type, priority](const HttpRequest& req, const RequestContext&) {
          auto body = ParseBody(req, true);
          if (!body.ok()) return ErrorResponse(body.status());
          BodyReader r(*body, {});
          if (!r.status().ok()) return ErrorResponse(r.status());
          EnqueueRequest e;
          e.type = type;
          e.priority = priority;
          e.unique_key = type;
          return enqueue(std::move(e));
        }});
  };
  CT_RETURN_IF_ERROR(no_body_route("/jobs/auto-scrape", "Run the scheduled auto-scrape now",
                                   "auto_scrape", kDefaultPriority));
  CT_RETURN_IF_ERROR(
      no_body_route("/jobs/backup", "Back the store up now (verified copy)", "backup", 8));

  CT_RETURN_IF_ERROR(router.Add(Route{
      "DELETE", "/jobs/{id}", Access::kOperator,
      "Cancel a job (queued: at once; running: killed on its next heartbeat). Idempotent.", "",
      [&queue](const HttpRequest& req, const RequestContext&) {
        auto job = queue.Cancel(PathId(req));
        if (!job.ok()) return ErrorResponse(job.status());
        return Json(JobJson(*job));
      }}));

  CT_RETURN_IF_ERROR(router.Add(Route{
      "POST", "/jobs/{id}/retry", Access::kOperator, "Replay a dead or cancelled job", "",
      [&queue](const HttpRequest& req, const RequestContext&) {
        auto job = queue.Retry(PathId(req));
        if (!job.ok()) return ErrorResponse(job.status());
        return Json(JobJson(*job));
      }}));

  CT_RETURN_IF_ERROR(router.Add(Route{
      "GET", "/jobs/stream", Access::kRead,
      "Server-sent events: every job event (state changes, progress) as it happens",
      R"json({"responses": {"200": {"description": "text/event-stream; each event: `event: job`, data = {job_id, at, kind, detail, job}"}}})json",
      [&queue, &deps](const HttpRequest& req, const RequestContext&) {
        if (Status s = CheckParams(req, {}); !s.ok()) return ErrorResponse(s);
        auto start = queue.EventsSince("", 1);
        if (!start.ok()) return ErrorResponse(start.status());
        struct Feed {
          std::string cursor;
          bool opened = false;
          std::chrono::steady_clock::time_point last_sent = std::chrono::steady_clock::now();
        };
        auto feed = std::make_shared<Feed>();
        feed->cursor = start->second;
        HttpResponse res;
        res.headers.Set("Content-Type", "text/event-stream");
        res.headers.Set("Cache-Control", "no-store");
        res.headers.Set("X-Accel-Buffering", "no");
        const int poll_ms = deps.stream_poll_ms;
        res.producer = [&queue, feed, poll_ms](std::string& chunk) -> Result<bool> {
          if (!feed->opened) {
            feed->opened = true;
            chunk += "retry: 2000\n: connected\n\n";
            return true;
          }
          // Wait up to ~1 s for events, in short polls, so the server can stop promptly.
          const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
          while (true) {
            auto r = queue.EventsSince(feed->cursor, 200);
            if (!r.ok()) return r.status();
            feed->cursor = r->second;
            for (const JobEvent& e : r->first) {
              json data = EventJson(e);
              if (auto job = queue.Get(e.job_id); job.ok()) data["job"] = JobJson(*job);
              chunk += "id: " + feed->cursor + "\nevent: job\ndata: " + data.dump() + "\n\n";
            }
            if (!chunk.empty() || std::chrono::steady_clock::now() >= deadline) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
          }
          const auto now = std::chrono::steady_clock::now();
          if (chunk.empty() && now - feed->last_sent > std::chrono::seconds(15))
            chunk += ": keep-alive\n\n";
          if (!chunk.empty()) feed->last_sent = now;
          return true;
        };
        return res;
      }}));
  return Status::Ok();
}

}  // namespace ct
