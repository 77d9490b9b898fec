// Scraper: one scrape of one source and query — fetch -> parse -> analyse -> upsert — with
// real progress and a result summary. The scrape job handlers and `complaints scrape` call it.
//
// Incremental: the query's cursor (newest created_at stored) filters out known items and stops
// paging at the first page that reaches them; the first page is fetched conditionally (ETag /
// Last-Modified), and a 304 ends the run at once. The cursor and validators are saved only
// after the whole run succeeded, so a failure half-way re-fetches next time (upserts are
// idempotent: nothing is corrupted, nothing counted twice). The breaker snapshot is saved
// after every run, failed or not.
//
// Storing: fresh posts are upserted `hooks.upsert_batch` (1000) at a time across pages, one
// transaction each (a run of the default 5 pages of 50 is one), and whatever is pending when the
// run ends or fails is upserted then, so an error still leaves the earlier pages stored.
// bench/results/sources.md compares this with one transaction per page.
//
// Fallback: when the first page of a starting request fails (fetch refused or body unusable)
// and the adapter offers a SourceFallback (Reddit: its RSS feed), that request is fetched under
// the fetch key "<source>/<path>" (its own breaker and bucket: the failed way's breaker may have
// just opened), and its pages replace the failed ones. The result's `fallback` says so and why.
// If the fallback fails too, the error names both failures; it is transient when either is (the
// blocked way may come back), with the Retry-After of the one that gave it.
//
// Errors: the Fetcher's (transient ones carry a Retry-After in `trace`), the adapter's (drift
// is DataLoss: permanent), the Store's. Not thread-safe per instance (the Analyzer is not).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "domain/post.h"
#include "fetch/fetcher.h"
#include "sources/source_registry.h"
#include "sources/source_state.h"

namespace ct {

class Analyzer;
class Clock;
class Store;

struct ScrapeProgress {
  std::int64_t pages = 0;
  std::int64_t items = 0;
  std::int64_t max_pages = 0;  // upper bound of pages for this run
  std::string message;
};

struct ScrapeResult {
  std::string source;
  std::string query;
  std::int64_t pages = 0;
  std::int64_t fetched = 0;     // items parsed
  std::int64_t inserted = 0;    // "new"
  std::int64_t updated = 0;
  std::int64_t duplicates = 0;  // already stored unchanged, or older than the cursor
  std::int64_t errors = 0;
  bool not_modified = false;    // 304 on the first page
  // "" when every page came the adapter's first way; else "<path>: <why the first way failed>"
  // (e.g. "rss: ... HTTP 403 ..."). Also sent as a progress message when it happens.
  std::string fallback;
  std::vector<Post> posts;      // dry run: what would be stored
  // {"source","query","pages","fetched","new","updated","duplicates","errors","not_modified",
  //  "fallback": null or the string above}
  std::string ToJson() const;
};

struct ScrapeHooks {
  std::function<void(const ScrapeProgress&)> progress;  // may be null
  std::function<bool()> cancelled;                      // may be null
  bool dry_run = false;  // parse and analyse, store nothing, keep the posts in the result
  int limit = 0;         // stop after this many items (0 = max_pages decides)
  std::size_t upsert_batch = 1000;  // posts per Store::UpsertPosts (transaction); 0: one per page
};

class Scraper {
 public:

  // `analyzer` may be null (posts stored unanalysed); `store` may be null only for dry runs.
  Scraper(const SourceRegistry& registry, Fetcher& fetcher, Analyzer* analyzer, Store* store,
          const SourceStateFile& state, const Clock& clock);

  Result<ScrapeResult> Run(const SourceSpec& spec, const std::string& query,
                           const ScrapeHooks& hooks = {}, FetchTrace* trace = nullptr);

 private:
  Result<ScrapeResult> RunPages(const SourceAdapter& adapter, const SourceSpec& spec,
                                const std::string& query, QueryState& qs,
                                const ScrapeHooks& hooks, FetchTrace* trace);
  // Fetches and parses `fallback` after the first way failed with `first_error` (see above).
  Result<ParsedPage> FetchFallback(const SourceAdapter& adapter, const SourceSpec& spec,
                                   ParseContext& ctx, const Status& first_error,
                                   const SourceFallback& fallback, FetchTrace* trace);

  const SourceRegistry& registry_;
  Fetcher& fetcher_;
  Analyzer* analyzer_;
  Store* store_;
  const SourceStateFile& state_;
  const Clock& clock_;
};

}  // namespace ct
