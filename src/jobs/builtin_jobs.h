// Every job type this binary runs, registered in one place so that the worker, the
// `run-job` child and the /jobs API validation all see the same set.
#pragma once

#include "core/clock.h"
#include "core/config.h"
#include "core/status.h"
#include "jobs/backup_job.h"
#include "jobs/job_registry.h"
#include "jobs/scrape_jobs.h"

namespace ct {

struct BuiltinJobOptions {
  BackupOptions backup;
  bool test_jobs = false;  // COMPLAINTS_TEST_JOBS=1: the test.* types
  // The scrape types' sources, [fetch], store and data dir. Default: the built-in config.
  ScrapeJobOptions scrape;
  // The reanalyze type's taxonomy TOML; empty: the config's company.taxonomy, else the one
  // compiled into the binary.
  std::string taxonomy_path;
};

BuiltinJobOptions BuiltinJobOptionsFromConfig(const AppConfig& config, const Environment& env);

// `clock` must outlive the registry (handlers keep a reference).
Status RegisterBuiltinJobs(JobRegistry& registry, const BuiltinJobOptions& options,
                           const Clock& clock);

}  // namespace ct
