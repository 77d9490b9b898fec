// ReanalyzeAll: recomputes the analysis of every stored post, e.g. after a taxonomy change.
// Storage-agnostic: the caller supplies batch read/write callbacks (keyset pagination after the
// last post read), so the `reanalyze` job (jobs/reanalyze_job.h) only wraps this function with
// its store, progress and cancellation. Idempotent: running it twice writes nothing the second
// time.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "analysis/analyzer.h"
#include "core/status.h"
#include "domain/post.h"

namespace ct {

struct ReanalyzeProgress {
  std::int64_t done = 0;     // posts analysed so far
  std::int64_t changed = 0;  // of which, posts whose analysis changed and were written
  std::int64_t total = -1;   // -1 when the caller could not count them
};

struct ReanalyzeIo {
  // Up to `limit` posts following `last` (the last post of the previous batch, as read; null
  // for the first batch) in one stable order (e.g. by id, or by (created_at, id)); empty when
  // done. A post must never be returned twice.
  std::function<Result<std::vector<Post>>(const Post* last, std::size_t limit)> read_batch;
  // Persists the analysis fields of these posts (only those that changed are passed).
  std::function<Status(const std::vector<Post>&)> write_batch;
  // Optional: how many posts there are, for progress.
  std::function<Result<std::int64_t>()> count;
};

// Called after each batch; a non-ok Status (e.g. Aborted on cancellation) stops the run and
// is returned.
using ReanalyzeProgressFn = std::function<Status(const ReanalyzeProgress&)>;

Result<ReanalyzeProgress> ReanalyzeAll(Analyzer& analyzer, const ReanalyzeIo& io,
                                       std::size_t batch_size = 500,
                                       const ReanalyzeProgressFn& on_progress = nullptr);

}  // namespace ct
