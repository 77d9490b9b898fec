#include "sources/scraper.h"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>

#include "analysis/analyzer.h"
#include "core/clock.h"
#include "store/store.h"

namespace ct {

std::string ScrapeResult::ToJson() const {
  return nlohmann::json{{"source", source},         {"query", query},
                        {"pages", pages},           {"fetched", fetched},
                        {"new", inserted},          {"updated", updated},
                        {"duplicates", duplicates}, {"errors", errors},
                        {"not_modified", not_modified},
                        {"fallback", fallback.empty() ? nlohmann::json() : nlohmann::json(fallback)}}
      .dump();
}

Scraper::Scraper(const SourceRegistry& registry, Fetcher& fetcher, Analyzer* analyzer, Store* store,
                 const SourceStateFile& state, const Clock& clock)
    : registry_(registry), fetcher_(fetcher), analyzer_(analyzer), store_(store), state_(state),
      clock_(clock) {}

Result<ScrapeResult> Scraper::Run(const SourceSpec& spec, const std::string& query,
                                  const ScrapeHooks& hooks, FetchTrace* trace) {
  const SourceAdapter* adapter = registry_.Find(spec.kind);
  if (!adapter) return Status::FailedPrecondition("no adapter for source kind " + spec.kind);
  if (!store_ && !hooks.dry_run) return Status::InvalidArgument("a scrape that stores needs a store");
  CT_ASSIGN_OR_RETURN(SourceState saved, state_.Load(spec.name));
  if (saved.breaker) {
    // Another process may have opened the circuit: start from its view.
    BreakerSnapshot mine = fetcher_.Breaker(spec.name).Snapshot();
    if (saved.breaker->open_until_ms > mine.open_until_ms) fetcher_.Breaker(spec.name).Restore(*saved.breaker);
  }
  QueryState qs = saved.queries[query];
  Result<ScrapeResult> result = RunPages(*adapter, spec, query, qs, hooks, trace);
  const BreakerSnapshot breaker = fetcher_.Breaker(spec.name).Snapshot();
  const std::int64_t now = clock_.NowSeconds();
  Status saved_state = state_.Update(spec.name, [&](SourceState& s) {
    s.breaker = breaker;
    QueryState& q = s.queries[query];
    q.last_run = now;
    if (result.ok()) {
      if (!hooks.dry_run) {
        q.cursor = qs.cursor;
        q.validators = qs.validators;
      }
      q.last_error.clear();
      q.last_success = now;
    } else {
      q.last_error = result.status().ToString();
    }
  });
  if (!result.ok()) return result;
  CT_RETURN_IF_ERROR(saved_state.WithContext("saving source state"));
  return result;
}

Result<ScrapeResult> Scraper::RunPages(const SourceAdapter& adapter, const SourceSpec& spec,
                                       const std::string& query, QueryState& qs,
                                       const ScrapeHooks& hooks, FetchTrace* trace) {
  ScrapeResult out;
  out.source = spec.name;
  out.query = query;
  const std::optional<std::int64_t> cursor = qs.cursor;
  CT_ASSIGN_OR_RETURN(std::vector<HttpRequest> starts, adapter.FirstRequests(spec, query, cursor));
  std::int64_t newest = cursor.value_or(0);
  const std::int64_t max_pages = static_cast<std::int64_t>(starts.size()) * spec.max_pages;
  auto report = [&](std::string message) {
    if (hooks.progress)
      hooks.progress({out.pages, out.fetched, max_pages, std::move(message)});
  };
  // Fresh posts wait here and are upserted upsert_batch at a time, one transaction each.
  std::vector<Post> pending;
  auto flush = [&]() -> Status {
    if (pending.empty()) return Status::Ok();
    CT_ASSIGN_OR_RETURN(UpsertSummary summary, store_->UpsertPosts(pending));
    out.inserted += summary.inserted;
    out.updated += summary.updated;
    out.duplicates += summary.unchanged;
    pending.clear();
    return Status::Ok();
  };
  // An error ends the run, but what the pages before it brought is stored, as page by page.
  auto fail = [&](const Status& error) -> Status {
    if (Status stored = flush(); !stored.ok())
      return Status(error.code(), error.message() + " (and storing the posts of the pages before "
                                                    "it failed: " + stored.ToString() + ")");
    return error;
  };
  for (std::size_t s = 0; s < starts.size(); ++s) {
    std::optional<HttpRequest> next = starts[s];
    for (int page = 0; next && page < spec.max_pages; ++page) {
      if (hooks.cancelled && hooks.cancelled()) return fail(Status::Aborted("scrape cancelled"));
      // Only a query's very first page is conditional: later pages depend on it.
      Validators* validators = (s == 0 && page == 0) ? &qs.validators : nullptr;
      ParseContext ctx;
      ctx.spec = &spec;
      ctx.query = query;
      ctx.request = *next;
      ctx.page = page;
      ctx.collected_at = clock_.NowSeconds();
      Result<HttpResponse> response = fetcher_.Fetch(spec.name, *next, validators, trace);
      if (response.ok() && response->status == 304) {
        if (s == 0) out.not_modified = true;
        report("not modified");
        break;
      }
      if (response.ok()) ctx.headers = response->headers;
      Result<ParsedPage> parsed = response.ok() ? adapter.Parse(ctx, response->body)
                                                : Result<ParsedPage>(response.status());
      if (!parsed.ok() && page == 0) {
        if (std::optional<SourceFallback> fallback = adapter.FallbackFor(ctx, parsed.status())) {
          out.fallback = fallback->path + ": " + parsed.status().ToString();
          report("falling back to " + out.fallback);
          parsed = FetchFallback(adapter, spec, ctx, parsed.status(), *fallback, trace);
        }
      }
      if (!parsed.ok()) return fail(parsed.status());
      ++out.pages;
      if (parsed->backoff_s > 0) fetcher_.PauseSource(spec.name, parsed->backoff_s * 1000);
      bool reached_known = false;
      std::vector<Post> fresh;
      for (Post& p : parsed->posts) {
        ++out.fetched;
        if (cursor && p.created_at <= *cursor) {
          reached_known = true;
          ++out.duplicates;
          continue;
        }
        newest = std::max(newest, p.created_at);
        if (analyzer_) Analyzer::Apply(analyzer_->Analyze(p), &p);
        fresh.push_back(std::move(p));
        if (hooks.limit > 0 && out.fetched >= hooks.limit) break;
      }
      if (hooks.dry_run) {
        out.inserted += static_cast<std::int64_t>(fresh.size());
        for (Post& p : fresh) out.posts.push_back(std::move(p));
      } else {
        std::move(fresh.begin(), fresh.end(), std::back_inserter(pending));
        if (pending.size() >= hooks.upsert_batch) CT_RETURN_IF_ERROR(flush());
      }
      report("page " + std::to_string(out.pages) + ": " + std::to_string(parsed->posts.size()) + " items");
      if (reached_known || (hooks.limit > 0 && out.fetched >= hooks.limit)) break;
      next = std::move(parsed->next);
    }
  }
  CT_RETURN_IF_ERROR(flush());
  if (newest > 0) qs.cursor = newest;
  return out;
}

Result<ParsedPage> Scraper::FetchFallback(const SourceAdapter& adapter, const SourceSpec& spec,
                                          ParseContext& ctx, const Status& first_error,
                                          const SourceFallback& fallback, FetchTrace* trace) {
  const std::optional<std::int64_t> first_retry_after =
      trace ? trace->retry_after_ms : std::nullopt;
  if (trace) trace->retry_after_ms.reset();
  ctx.request = fallback.request;
  ctx.headers.clear();
  // Unconditional: the stored validators belong to the first way's URL.
  Result<HttpResponse> response =
      fetcher_.Fetch(spec.name + "/" + fallback.path, fallback.request, nullptr, trace);
  if (response.ok()) ctx.headers = response->headers;
  Result<ParsedPage> parsed = response.ok() ? adapter.Parse(ctx, response->body)
                                            : Result<ParsedPage>(response.status());
  if (parsed.ok()) return parsed;
  const Status& second = parsed.status();
  // Transient when either is: the blocked way may come back (its Retry-After, then).
  StatusCode code = second.code();
  if (!second.transient() && first_error.transient()) {
    code = first_error.code();
    if (trace) trace->retry_after_ms = first_retry_after;
  }
  return Status(code, first_error.ToString() + "; the " + fallback.path +
                          " fallback failed too: " + second.ToString());
}

}  // namespace ct
