#include "sources/scrape_session.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "analysis/analyzer.h"
#include "analysis/analyzer_factory.h"
#include "fetch/browser_fetcher.h"
#include "fetch/fetch_options.h"
#include "sources/source_spec.h"
#include "store/store.h"

namespace ct {

std::string SourceStatePath(const AppConfig& config) {
  return (std::filesystem::path(config.data_dir) / "source_state.json").string();
}

void AddScrapeCounts(const ScrapeResult& run, ScrapeResult& total) {
  total.pages += run.pages;
  total.fetched += run.fetched;
  total.inserted += run.inserted;
  total.updated += run.updated;
  total.duplicates += run.duplicates;
  total.errors += run.errors;
}

std::string SourceScrapeResult::ToJson() const {
  nlohmann::json queries = nlohmann::json::array();
  for (const ScrapeResult& r : runs) queries.push_back(nlohmann::json::parse(r.ToJson()));
  return nlohmann::json{{"source", source},
                        {"pages", total.pages},
                        {"fetched", total.fetched},
                        {"new", total.inserted},
                        {"updated", total.updated},
                        {"duplicates", total.duplicates},
                        {"errors", total.errors},
                        {"not_modified", total.not_modified},
                        {"queries", std::move(queries)}}
      .dump();
}

ScrapeSession::ScrapeSession(const AppConfig& config, const Environment& env, const Clock& clock)
    : config_(config), env_(env), clock_(clock), registry_(SourceRegistry::Builtin()) {}

ScrapeSession::~ScrapeSession() = default;

Result<std::unique_ptr<ScrapeSession>> ScrapeSession::Open(const AppConfig& config,
                                                           const Environment& env,
                                                           const Clock& clock,
                                                           ScrapeSessionOptions options) {
  std::unique_ptr<ScrapeSession> s(new ScrapeSession(config, env, clock));
  CT_ASSIGN_OR_RETURN(HttpClientOptions client_options,
                      HttpClientOptionsFromConfig(config.fetch));
  CT_ASSIGN_OR_RETURN(BrowserOptions browser_options,
                      BrowserOptionsFromConfig(config.browser, config.fetch));
  browser_options.cancelled = options.cancelled;
  s->client_ = MakeBrowserRoutingClient(MakeCurlHttpClient(std::move(client_options)),
                                        std::make_unique<BrowserFetcher>(std::move(browser_options)));
  Fetcher::Sleeper sleep = options.sleep;
  if (!sleep) {
    sleep = [](std::int64_t ms) {
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      return Status::Ok();
    };
  }
  std::function<double()> uniform01 = options.uniform01;
  if (!uniform01) {
    struct Prng {
      std::mutex mu;
      std::mt19937_64 gen{std::random_device{}()};
    };
    auto prng = std::make_shared<Prng>();
    uniform01 = [prng] {
      std::lock_guard lock(prng->mu);
      return std::uniform_real_distribution<double>(0, 1)(prng->gen);
    };
  }
  s->fetcher_ = std::make_unique<Fetcher>(*s->client_, clock, std::move(sleep),
                                          std::move(uniform01),
                                          FetcherOptionsFromConfig(config.fetch));
  for (const SourceConfig& source : config.sources)
    s->fetcher_->SetSourceLimits(source.name, SourceLimitsFromConfig(source));
  if (options.analyze) {
    CT_ASSIGN_OR_RETURN(s->analyzer_, AnalyzerForCompany(config.company));
  }
  if (options.open_store) {
    auto store = OpenStore(config.store, clock);
    if (!store.ok()) return store.status().WithContext("opening the store");
    s->store_ = std::move(store).value();
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Status::Unavailable("creating data dir " + config.data_dir + ": " + ec.message());
  s->state_ = std::make_unique<SourceStateFile>(SourceStatePath(config));
  s->scraper_ = std::make_unique<Scraper>(s->registry_, *s->fetcher_, s->analyzer_.get(),
                                          s->store_.get(), *s->state_, clock);
  return s;
}

Result<const SourceConfig*> FindConfiguredSource(const std::vector<SourceConfig>& sources,
                                                 const SourceRegistry& registry,
                                                 const std::string& name, bool allow_disabled) {
  const SourceConfig* found = nullptr;
  std::string known;
  for (const SourceConfig& s : sources) {
    if (s.name == name) found = &s;
    known += (known.empty() ? "" : ", ") + s.name;
  }
  if (!found) return Status::InvalidArgument("unknown source '" + name + "' (known: " + known + ")");
  if (!found->enabled && !allow_disabled) {
    return Status::FailedPrecondition("source '" + name +
                                      "' is disabled (set enabled = true in [sources." + name + "])");
  }
  if (!registry.Find(found->kind)) {
    return Status::FailedPrecondition("source '" + name + "' has kind '" + found->kind +
                                      "', which this binary cannot scrape yet");
  }
  return found;
}

Result<const SourceConfig*> ScrapeSession::FindSource(const std::string& name,
                                                      bool allow_disabled) const {
  return FindConfiguredSource(config_.sources, registry_, name, allow_disabled);
}

std::vector<std::string> ScrapeSession::QueriesOf(const SourceConfig& source,
                                                  const std::optional<std::string>& query) const {
  if (query) return {*query};
  if (!source.queries.empty()) return source.queries;
  const SourceAdapter* adapter = registry_.Find(source.kind);
  return {adapter ? adapter->DefaultQuery() : std::string()};
}

std::int64_t ScrapeSession::MaxPagesPerQuery(const SourceConfig& source) const {
  const std::int64_t starts =
      source.kind == "mastodon" ? std::max<std::int64_t>(1, source.instances.size()) : 1;
  return starts * source.max_pages;
}

Result<SourceScrapeResult> ScrapeSession::ScrapeSource(const SourceConfig& source,
                                                       const std::vector<std::string>& queries,
                                                       const ScrapeHooks& hooks,
                                                       FetchTrace* trace) {
  const SourceSpec spec = SourceSpecFromConfig(source, env_);
  SourceScrapeResult out;
  out.source = source.name;
  out.total.source = source.name;
  out.total.not_modified = !queries.empty();
  for (const std::string& query : queries) {
    ScrapeHooks run_hooks = hooks;
    if (hooks.limit > 0) {
      const std::int64_t left = hooks.limit - out.total.fetched;
      if (left <= 0) break;
      run_hooks.limit = static_cast<int>(left);
    }
    FetchTrace run_trace;
    auto run = scraper_->Run(spec, query, run_hooks, &run_trace);
    if (trace) {
      trace->attempts += run_trace.attempts;
      trace->waited_ms += run_trace.waited_ms;
      trace->retry_after_ms = run_trace.retry_after_ms;
    }
    if (!run.ok()) return run.status().WithContext(source.name + " '" + query + "'");
    AddScrapeCounts(*run, out.total);
    out.total.not_modified = out.total.not_modified && run->not_modified;
    for (Post& p : run->posts) out.total.posts.push_back(std::move(p));
    run->posts.clear();
    out.runs.push_back(std::move(run).value());
  }
  return out;
}

}  // namespace ct
