#include "jobs/scrape_jobs.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "jobs/payload_rules.h"
#include "sources/scrape_session.h"

namespace ct {
namespace {

using nlohmann::json;

// The source named `name` in the config: unknown -> InvalidArgument naming the known ones;
// disabled -> FailedPrecondition. The same checks as ScrapeSession::FindSource, without opening
// one (validators run in the API process).
Status CheckSource(const AppConfig& config, const std::string& name, const std::string& field) {
  std::string known;
  const SourceConfig* found = nullptr;
  for (const SourceConfig& s : config.sources) {
    if (s.name == name) found = &s;
    known += (known.empty() ? "" : ", ") + s.name;
  }
  if (!found) {
    return Status::InvalidArgument(field + " names unknown source '" + name + "' (known: " + known +
                                   ")");
  }
  if (!found->enabled)
    return Status::InvalidArgument(field + " names source '" + name + "', which is disabled");
  return Status::Ok();
}

Status ValidateScrape(const AppConfig& config, const json& p) {
  CT_RETURN_IF_ERROR(payload::OnlyKeys(p, {"source", "query", "limit"}));
  CT_RETURN_IF_ERROR(payload::RequiredString(p, "source"));
  CT_RETURN_IF_ERROR(payload::OptionalString(p, "query"));
  CT_RETURN_IF_ERROR(payload::OptionalInt(p, "limit", 1, 10'000));
  return CheckSource(config, p["source"].get<std::string>(), "payload.source");
}

Status ValidateScrapeAll(const AppConfig& config, const json& p) {
  CT_RETURN_IF_ERROR(payload::OnlyKeys(p, {"sources", "queries"}));
  CT_RETURN_IF_ERROR(payload::OptionalStringArray(p, "sources"));
  CT_RETURN_IF_ERROR(payload::OptionalStringArray(p, "queries"));
  if (auto it = p.find("sources"); it != p.end()) {
    for (const json& s : *it) CT_RETURN_IF_ERROR(CheckSource(config, s.get<std::string>(), "payload.sources"));
  }
  return Status::Ok();
}

Status ValidateAutoScrape(const json& p) { return payload::OnlyKeys(p, {}); }

Status SleepInSlices(std::int64_t ms, const std::function<bool()>& cancelled) {
  using Clock = std::chrono::steady_clock;
  const auto end = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < end) {
    if (cancelled()) return Status::Aborted("cancelled while waiting to fetch");
    std::this_thread::sleep_for(
        std::min<Clock::duration>(std::chrono::milliseconds(50), end - Clock::now()));
  }
  return Status::Ok();
}

// One (source, queries) unit of a job.
struct PlannedSource {
  const SourceConfig* source;
  std::vector<std::string> queries;
};

// Runs the planned sources with one session, reporting progress on `ctx`.
class ScrapeRun {
 public:
  ScrapeRun(const ScrapeJobDeps& deps, JobContext& ctx) : deps_(deps), ctx_(ctx) {}

  Status Open() {
    const ScrapeJobOptions& o = deps_.options;
    ScrapeSessionOptions so;
    CancellableSleep sleep = o.sleep ? o.sleep : SleepInSlices;
    JobContext* ctx = &ctx_;
    so.sleep = [sleep, ctx](std::int64_t ms) { return sleep(ms, [ctx] { return ctx->cancelled(); }); };
    so.uniform01 = o.uniform01;
    so.cancelled = [ctx] { return ctx->cancelled(); };  // the browser stops mid-page
    CT_ASSIGN_OR_RETURN(session_, ScrapeSession::Open(o.config, o.env, deps_.clock, so));
    return Status::Ok();
  }

  ScrapeSession& session() { return *session_; }

  void Plan(std::vector<PlannedSource> plan) {
    plan_ = std::move(plan);
    for (const PlannedSource& p : plan_)
      total_pages_ += session_->MaxPagesPerQuery(*p.source) * static_cast<std::int64_t>(p.queries.size());
    ctx_.Progress(0, total_pages_, "starting");
  }
  const std::vector<PlannedSource>& plan() const { return plan_; }

  // Every query of one planned source; on error, `retry_after` gets the remote's Retry-After.
  Result<SourceScrapeResult> RunSource(const PlannedSource& p, int limit,
                                       std::optional<std::int64_t>& retry_after) {
    SourceScrapeResult out;
    out.source = p.source->name;
    out.total.source = p.source->name;
    out.total.not_modified = !p.queries.empty();
    for (const std::string& query : p.queries) {
      if (limit > 0 && out.total.fetched >= limit) break;
      const std::int64_t base = pages_done_;
      const std::int64_t bound = session_->MaxPagesPerQuery(*p.source);
      ScrapeHooks hooks;
      hooks.cancelled = [this] { return ctx_.cancelled(); };
      hooks.limit = limit > 0 ? static_cast<int>(limit - out.total.fetched) : 0;
      const std::string label = p.source->name + " '" + query + "'";
      hooks.progress = [&, base](const ScrapeProgress& sp) {
        ctx_.Progress(base + sp.pages, total_pages_,
                      label + ": " + sp.message + " (" + std::to_string(items_ + sp.items) +
                          " items so far)");
      };
      FetchTrace trace;
      auto r = session_->ScrapeSource(*p.source, {query}, hooks, &trace);
      if (!r.ok()) {
        retry_after = trace.retry_after_ms;
        return r.status();
      }
      // A run that stopped early (cursor, 304, last page) gave back the pages it did not need.
      pages_done_ = base + r->total.pages;
      total_pages_ -= std::max<std::int64_t>(0, bound - r->total.pages);
      items_ += r->total.fetched;
      ctx_.Progress(pages_done_, total_pages_,
                    label + ": done, " + std::to_string(r->total.inserted) + " new (" +
                        std::to_string(items_) + " items so far)");
      AddScrapeCounts(r->total, out.total);
      out.total.not_modified = out.total.not_modified && r->total.not_modified;
      for (ScrapeResult& run : r->runs) out.runs.push_back(std::move(run));
    }
    return out;
  }

 private:
  const ScrapeJobDeps& deps_;
  JobContext& ctx_;
  std::unique_ptr<ScrapeSession> session_;
  std::vector<PlannedSource> plan_;
  std::int64_t total_pages_ = 0;
  std::int64_t pages_done_ = 0;
  std::int64_t items_ = 0;
};

Result<std::string> RunScrape(const ScrapeJobDeps& deps, JobContext& ctx) {
  const json p = json::parse(ctx.payload_json());
  // The source is checked before anything is opened (store, network).
  CT_ASSIGN_OR_RETURN(const SourceConfig* source,
                      FindConfiguredSource(deps.options.config.sources, SourceRegistry::Builtin(),
                                           p.at("source").get<std::string>()));
  ScrapeRun run(deps, ctx);
  CT_RETURN_IF_ERROR(run.Open());
  std::optional<std::string> query;
  if (auto it = p.find("query"); it != p.end()) query = it->get<std::string>();
  const int limit = p.value("limit", 0);
  run.Plan({{source, run.session().QueriesOf(*source, query)}});
  std::optional<std::int64_t> retry_after;
  auto r = run.RunSource(run.plan()[0], limit, retry_after);
  if (!r.ok()) {
    if (retry_after) ctx.set_retry_after_ms(*retry_after);
    return r.status();
  }
  return r->ToJson();
}

// scrape_all and auto_scrape: every planned source, past failures.
Result<std::string> RunMany(const ScrapeJobDeps& deps, JobContext& ctx,
                            const std::optional<std::vector<std::string>>& names,
                            const std::optional<std::vector<std::string>>& queries) {
  const std::vector<SourceConfig>& configured = deps.options.config.sources;
  const SourceRegistry adapters = SourceRegistry::Builtin();
  std::vector<PlannedSource> plan;
  if (names) {
    for (const std::string& name : *names) {
      CT_ASSIGN_OR_RETURN(const SourceConfig* s, FindConfiguredSource(configured, adapters, name));
      plan.push_back({s, {}});
    }
  } else {
    for (const SourceConfig& s : configured) {
      // Disabled sources (g2, nitter by default) and kinds this binary cannot scrape are skipped.
      if (FindConfiguredSource(configured, adapters, s.name).ok()) plan.push_back({&s, {}});
    }
  }
  ScrapeRun run(deps, ctx);
  CT_RETURN_IF_ERROR(run.Open());
  for (PlannedSource& ps : plan) {
    if (queries) ps.queries = *queries;
    else ps.queries = run.session().QueriesOf(*ps.source, std::nullopt);
  }
  run.Plan(std::move(plan));

  ScrapeResult total;
  json sources = json::array(), failed = json::array();
  std::optional<Status> first_transient, first_permanent;
  std::optional<std::int64_t> retry_after;
  for (const PlannedSource& ps : run.plan()) {
    if (ctx.cancelled()) return Status::Aborted("scrape cancelled");
    std::optional<std::int64_t> source_retry_after;
    auto r = run.RunSource(ps, 0, source_retry_after);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kAborted && ctx.cancelled()) return r.status();
      const bool transient = r.status().transient();
      failed.push_back({{"source", ps.source->name},
                        {"error", r.status().ToString()},
                        {"transient", transient}});
      if (transient) {
        if (!first_transient) first_transient = r.status();
        if (source_retry_after.value_or(0) > retry_after.value_or(0)) retry_after = source_retry_after;
      } else if (!first_permanent) {
        first_permanent = r.status();
      }
      continue;
    }
    AddScrapeCounts(r->total, total);
    sources.push_back(json::parse(r->ToJson()));
  }
  if (sources.empty() && !failed.empty()) {
    // Nothing worked: fail, so the queue retries (transient) or keeps the diagnostic (dead).
    const Status& s = first_transient ? *first_transient : *first_permanent;
    if (first_transient && retry_after) ctx.set_retry_after_ms(*retry_after);
    return Status(s.code(), "every source failed; first: " + s.message());
  }
  return json{{"pages", total.pages},          {"fetched", total.fetched},
              {"new", total.inserted},         {"updated", total.updated},
              {"duplicates", total.duplicates}, {"errors", total.errors},
              {"sources", std::move(sources)}, {"failed", std::move(failed)}}
      .dump();
}

std::optional<std::vector<std::string>> StringList(const json& p, const char* key) {
  auto it = p.find(key);
  if (it == p.end()) return std::nullopt;
  return it->get<std::vector<std::string>>();
}

}  // namespace

Status RegisterScrapeJobs(JobRegistry& registry, ScrapeJobDeps deps_in) {
  // Shared by the three handlers; lives as long as the registry holds them.
  auto deps = std::make_shared<const ScrapeJobDeps>(std::move(deps_in));
  const AppConfig* config = &deps->options.config;
  CT_RETURN_IF_ERROR(registry.Register(
      {"scrape", JobIsolation::kIsolated,
       [deps, config](const json& p) { return ValidateScrape(*config, p); },
       [deps](JobContext& ctx) { return RunScrape(*deps, ctx); },
       "collect posts from one source"}));
  CT_RETURN_IF_ERROR(registry.Register(
      {"scrape_all", JobIsolation::kIsolated,
       [deps, config](const json& p) { return ValidateScrapeAll(*config, p); },
       [deps](JobContext& ctx) {
         const json p = json::parse(ctx.payload_json());
         return RunMany(*deps, ctx, StringList(p, "sources"), StringList(p, "queries"));
       },
       "collect posts from several sources"}));
  return registry.Register({"auto_scrape", JobIsolation::kIsolated, ValidateAutoScrape,
                            [deps](JobContext& ctx) {
                              return RunMany(*deps, ctx, std::nullopt, std::nullopt);
                            },
                            "collect from every enabled source with its default queries"});
}

}  // namespace ct
