#include "analysis/reanalyze.h"

#include <optional>
#include <string>

namespace ct {
namespace {

bool SameAnalysis(const Post& a, const Post& b) {
  return a.language == b.language && a.sentiment_score == b.sentiment_score &&
         a.sentiment_label == b.sentiment_label && a.is_complaint == b.is_complaint &&
         a.complaint_score == b.complaint_score && a.product == b.product &&
         a.country == b.country && a.relevance_score == b.relevance_score &&
         a.evidence_json == b.evidence_json;
}

}  // namespace

Result<ReanalyzeProgress> ReanalyzeAll(Analyzer& analyzer, const ReanalyzeIo& io,
                                       std::size_t batch_size,
                                       const ReanalyzeProgressFn& on_progress) {
  if (!io.read_batch || !io.write_batch) {
    return Status::InvalidArgument("reanalyze: read_batch and write_batch are required");
  }
  if (batch_size == 0) return Status::InvalidArgument("reanalyze: batch_size must be > 0");
  ReanalyzeProgress progress;
  if (io.count) {
    CT_ASSIGN_OR_RETURN(progress.total, io.count());
  }
  std::optional<Post> last;
  std::int64_t last_id = 0;
  while (true) {
    CT_ASSIGN_OR_RETURN(std::vector<Post> batch,
                        io.read_batch(last ? &*last : nullptr, batch_size));
    if (batch.empty()) break;
    if (batch.size() > batch_size) {
      return Status::Internal("reanalyze: read_batch returned " + std::to_string(batch.size()) +
                              " posts for a batch of " + std::to_string(batch_size));
    }
    std::vector<Post> changed;
    for (const Post& post : batch) {
      if (last && post.id == last_id) {
        return Status::Internal("reanalyze: read_batch returned post " + std::to_string(post.id) +
                                " twice in a row");
      }
      last_id = post.id;
      Post updated = post;
      Analyzer::Apply(analyzer.Analyze(post), &updated);
      if (!SameAnalysis(post, updated)) changed.push_back(std::move(updated));
    }
    if (!changed.empty()) CT_RETURN_IF_ERROR(io.write_batch(changed).WithContext("reanalyze: writing"));
    progress.done += static_cast<std::int64_t>(batch.size());
    last = std::move(batch.back());
    progress.changed += static_cast<std::int64_t>(changed.size());
    if (on_progress) CT_RETURN_IF_ERROR(on_progress(progress));
  }
  return progress;
}

}  // namespace ct
