// ScrapeSession: everything one process needs to scrape the configured sources — the HTTP
// client and polite Fetcher built from [fetch] (requests of browser sources, g2, are routed to
// a BrowserFetcher built from [browser], started only when such a page is fetched), the
// adapters, the Analyzer, the Store and the
// source state file — wired once from the AppConfig. The scrape job handlers
// (jobs/scrape_jobs.cc) and `complaints scrape` both go through it, so they behave the same.
//
// ScrapeSource runs each of a source's queries (or the one given) through Scraper::Run and
// sums the results. A query that fails stops the source: its error is returned (the state file
// keeps that query's last_error; cursors of queries that succeeded have moved).
//
// Ownership: owns everything it builds; `clock` must outlive it. Not thread-safe (one job or
// command at a time; the Analyzer is not thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/status.h"
#include "fetch/fetcher.h"
#include "sources/scraper.h"
#include "sources/source_registry.h"
#include "sources/source_state.h"

namespace ct {

class Analyzer;
class Store;

struct ScrapeSessionOptions {
  // How the Fetcher waits (rate limits, backoff). Null: a real sleep. Production passes one that
  // returns Aborted early when the job is cancelled; tests advance a FakeClock.
  Fetcher::Sleeper sleep;
  // Null: a seeded PRNG (backoff jitter). Tests pass a constant.
  std::function<double()> uniform01;
  // Polled by the browser fetcher while a page loads: true kills the browser and fails the
  // fetch with Aborted. Null: never cancelled.
  std::function<bool()> cancelled;
  bool open_store = true;      // false: dry runs only (no database touched)
  bool analyze = true;         // false: posts are stored unanalysed
};

// The sum of one source's runs (one per query).
struct SourceScrapeResult {
  std::string source;
  ScrapeResult total;               // query = "" ; not_modified = every query was 304
  std::vector<ScrapeResult> runs;   // one per query, in order
  // {"source", "pages","fetched","new","updated","duplicates","errors","not_modified",
  //  "queries":[ScrapeResult::ToJson()...]}
  std::string ToJson() const;
};

// Adds `run`'s counters into `total` (not its posts).
void AddScrapeCounts(const ScrapeResult& run, ScrapeResult& total);

class ScrapeSession {
 public:
  // Builds the client (SSRF allowlist, proxy, timeouts), opens the store (migrations applied)
  // unless `options.open_store` is false, loads the taxonomy. Errors name what failed.
  static Result<std::unique_ptr<ScrapeSession>> Open(const AppConfig& config,
                                                     const Environment& env, const Clock& clock,
                                                     ScrapeSessionOptions options = {});
  ~ScrapeSession();
  ScrapeSession(const ScrapeSession&) = delete;
  ScrapeSession& operator=(const ScrapeSession&) = delete;

  // The configured source `name`. InvalidArgument "unknown source 'x' (known: a, b)" when it is
  // not configured; FailedPrecondition "source 'x' is disabled ..." when disabled (unless
  // `allow_disabled`); FailedPrecondition when its kind has no adapter in this binary (g2).
  Result<const SourceConfig*> FindSource(const std::string& name,
                                         bool allow_disabled = false) const;

  // The queries a scrape of `source` runs: `query` if given, else the configured ones, else the
  // adapter's default.
  std::vector<std::string> QueriesOf(const SourceConfig& source,
                                     const std::optional<std::string>& query) const;

  // Pages a run of one query of `source` fetches at most (max_pages per starting request).
  std::int64_t MaxPagesPerQuery(const SourceConfig& source) const;

  // Runs the queries of `source` in order. `hooks.limit` caps the items of the whole source.
  // On error, `trace` holds the failing query's Retry-After, if any.
  Result<SourceScrapeResult> ScrapeSource(const SourceConfig& source,
                                          const std::vector<std::string>& queries,
                                          const ScrapeHooks& hooks, FetchTrace* trace = nullptr);

  const AppConfig& config() const { return config_; }
  Store* store() const { return store_.get(); }
  const SourceStateFile& state() const { return *state_; }

 private:
  ScrapeSession(const AppConfig& config, const Environment& env, const Clock& clock);

  AppConfig config_;
  Environment env_;
  const Clock& clock_;
  SourceRegistry registry_;
  std::unique_ptr<HttpClient> client_;
  std::unique_ptr<Fetcher> fetcher_;
  std::unique_ptr<Analyzer> analyzer_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SourceStateFile> state_;
  std::unique_ptr<Scraper> scraper_;
};

// ScrapeSession::FindSource without a session (nothing opened): for checks before any I/O.
Result<const SourceConfig*> FindConfiguredSource(const std::vector<SourceConfig>& sources,
                                                 const SourceRegistry& registry,
                                                 const std::string& name,
                                                 bool allow_disabled = false);

// data_dir/source_state.json
std::string SourceStatePath(const AppConfig& config);

}  // namespace ct
