// The scrape job types:
//   scrape      {source, query?, limit?}   one configured source: its queries, or `query`;
//                                          `limit` caps the items fetched
//   scrape_all  {sources?, queries?}       several sources (default: every enabled one);
//                                          `queries` replaces each source's queries
//   auto_scrape {}                         every enabled source with its configured queries
//
// Each attempt builds a ScrapeSession (sources/scrape_session.h) from the config: the HTTP
// client and Fetcher from [fetch] (waits end early, with Aborted, when the job is cancelled),
// the adapters, the Analyzer, the Store and data_dir/source_state.json; then runs
// Scraper::Run per source and query, reporting real progress (pages done of the most pages the
// run can take, items so far) and returning the summed result as JSON:
//   scrape:  {"source","pages","fetched","new","updated","duplicates","errors","not_modified",
//             "queries":[{per query}]}
//   scrape_all / auto_scrape: {"pages","fetched","new","updated","duplicates","errors",
//             "sources":[{as scrape}], "failed":[{"source","error","transient"}]}
//
// Errors: an unknown source is InvalidArgument naming it and the known ones, a disabled source
// FailedPrecondition saying so (both permanent, at enqueue time through the validator too).
// `scrape` fails with the first failing query's error (transient ones carry the Retry-After).
// scrape_all / auto_scrape go on past a failing source and list it under "failed"; only when
// every source failed does the job fail (transiently if any failure was transient, with the
// longest Retry-After). Cancellation returns Aborted at the next page or wait.
#pragma once

#include <cstdint>
#include <functional>

#include "core/clock.h"
#include "core/config.h"
#include "core/status.h"
#include "jobs/job_registry.h"

namespace ct {

// Waits `ms`, or returns Aborted as soon as `cancelled()` is true.
using CancellableSleep =
    std::function<Status(std::int64_t ms, const std::function<bool()>& cancelled)>;

struct ScrapeJobOptions {
  AppConfig config;  // sources, [fetch], store, data_dir, company
  Environment env;   // tokens named by sources' token_env
  CancellableSleep sleep;                 // null: real sleep in short slices
  std::function<double()> uniform01;      // null: seeded PRNG (backoff jitter)
};

struct ScrapeJobDeps {
  ScrapeJobOptions options;
  const Clock& clock;  // must outlive the registry
};

Status RegisterScrapeJobs(JobRegistry& registry, ScrapeJobDeps deps);

}  // namespace ct
