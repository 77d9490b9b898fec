// The `reanalyze` job: recomputes the analysis (language, sentiment, complaint, product,
// country, relevance, evidence) of every stored post, e.g. after a taxonomy change, with
// ReanalyzeAll (analysis/reanalyze.h).
//
//   payload  {"batch_size"?: 1..5000}   posts analysed per batch (default 500); each batch's
//                                       changed posts are written in one UpsertPosts
//                                       transaction (rating and triage fields are never touched)
//   result   {"done": N, "changed": N, "total": N}
//
// Posts are read in (created_at, id) order, false positives included, through Store::ListPosts
// pages; progress is reported after each batch as done/total with a message; cancellation is
// checked between batches and returns Aborted (batches already written stay written, and a
// rerun skips posts that are already up to date).
#pragma once

#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/status.h"
#include "jobs/job_handler.h"
#include "jobs/job_registry.h"

namespace ct {

struct ReanalyzeJobOptions {
  AppConfig config;           // store and [company] (brand terms, domains, threshold, taxonomy)
  std::string taxonomy_path;  // empty: config.company.taxonomy, else the compiled-in taxonomy
};

inline constexpr int kReanalyzeDefaultBatch = 500;
inline constexpr int kReanalyzeMaxBatch = 5000;

Result<std::string> RunReanalyze(const ReanalyzeJobOptions& options, const Clock& clock,
                                 JobContext& ctx);

// `clock` must outlive the registry.
Status RegisterReanalyzeJob(JobRegistry& registry, ReanalyzeJobOptions options,
                            const Clock& clock);

}  // namespace ct
