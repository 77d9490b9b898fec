#include "jobs/reanalyze_job.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/analyzer.h"
#include "analysis/analyzer_factory.h"
#include "analysis/reanalyze.h"
#include "analysis/taxonomy.h"
#include "domain/post_query.h"
#include "jobs/payload_rules.h"
#include "store/store.h"

namespace ct {
namespace {

// Every post: false positives are recomputed too.
PostFilter AllPosts() {
  PostFilter f;
  f.false_positive = std::nullopt;
  return f;
}

Result<std::unique_ptr<Analyzer>> MakeAnalyzer(const ReanalyzeJobOptions& options) {
  auto analyzer = AnalyzerForCompany(options.config.company, options.taxonomy_path);
  if (!analyzer.ok()) return analyzer.status().WithContext("reanalyze");
  return analyzer;
}

// Fills a batch from ListPosts pages (at most kMaxPageSize rows each), after `last`.
Result<std::vector<Post>> ReadBatch(Store& store, const Post* last, std::size_t limit) {
  std::vector<Post> out;
  PostPageRequest req;
  req.filter = AllPosts();
  req.sort = PostSort::kOldest;
  if (last != nullptr) req.after = CursorAfter(*last, PostSort::kOldest);
  while (out.size() < limit) {
    req.limit = static_cast<int>(std::min<std::size_t>(limit - out.size(), kMaxPageSize));
    CT_ASSIGN_OR_RETURN(PostPage page, store.ListPosts(req));
    for (Post& p : page.items) out.push_back(std::move(p));
    if (!page.next) break;
    req.after = page.next;
  }
  return out;
}

}  // namespace

Result<std::string> RunReanalyze(const ReanalyzeJobOptions& options, const Clock& clock,
                                 JobContext& ctx) {
  const nlohmann::json payload = nlohmann::json::parse(ctx.payload_json(), nullptr, false);
  std::size_t batch_size = kReanalyzeDefaultBatch;
  if (payload.is_object() && payload.contains("batch_size"))
    batch_size = payload["batch_size"].get<std::size_t>();

  CT_ASSIGN_OR_RETURN(std::unique_ptr<Analyzer> analyzer, MakeAnalyzer(options));
  auto opened = OpenStore(options.config.store, clock);
  if (!opened.ok()) return opened.status().WithContext("reanalyze: opening the store");
  Store& store = **opened;

  ReanalyzeIo io;
  io.read_batch = [&store](const Post* last, std::size_t limit) {
    return ReadBatch(store, last, limit);
  };
  io.write_batch = [&store](const std::vector<Post>& posts) -> Status {
    return store.UpsertPosts(posts).status();
  };
  io.count = [&store]() -> Result<std::int64_t> {
    CT_ASSIGN_OR_RETURN(PostStats stats, store.Stats(AllPosts(), StatsBucket::kMonth));
    return stats.total;
  };
  ctx.Progress(0, 0, "counting posts");
  auto done = ReanalyzeAll(*analyzer, io, batch_size, [&ctx](const ReanalyzeProgress& p) {
    ctx.Progress(p.done, std::max(p.total, p.done),
                 std::to_string(p.done) + " posts analysed, " + std::to_string(p.changed) +
                     " changed");
    if (ctx.cancelled()) return Status::Aborted("reanalyze: cancelled");
    return Status::Ok();
  });
  if (!done.ok()) return done.status();
  // The last word, also when there was nothing to read (no batch reported anything).
  ctx.Progress(done->done, std::max(done->total, done->done),
               std::to_string(done->done) + " posts analysed, " + std::to_string(done->changed) +
                   " changed");
  return nlohmann::json{{"done", done->done}, {"changed", done->changed}, {"total", done->total}}
      .dump();
}

Status RegisterReanalyzeJob(JobRegistry& registry, ReanalyzeJobOptions options,
                            const Clock& clock) {
  return registry.Register(
      {"reanalyze", JobIsolation::kIsolated,
       [](const nlohmann::json& p) {
         CT_RETURN_IF_ERROR(payload::OnlyKeys(p, {"batch_size"}));
         return payload::OptionalInt(p, "batch_size", 1, kReanalyzeMaxBatch);
       },
       [options = std::move(options), &clock](JobContext& ctx) {
         return RunReanalyze(options, clock, ctx);
       },
       "recompute the analysis of every stored post (after a taxonomy change)"});
}

}  // namespace ct
