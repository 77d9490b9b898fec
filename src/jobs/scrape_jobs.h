// The scrape job types: `scrape {source, query?, limit?}`, `scrape_all {sources?, queries?}`,
// `auto_scrape {}`. Their payloads are validated now; until the sources module provides
// adapters they fail permanently with "no adapter for source X" (a retry cannot help).
#pragma once

#include "core/status.h"
#include "jobs/job_registry.h"

namespace ct {

Status RegisterScrapeJobs(JobRegistry& registry);

}  // namespace ct
