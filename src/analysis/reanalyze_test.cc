#include "analysis/reanalyze.h"

#include <gtest/gtest.h>

#include <map>

namespace ct {
namespace {

// An in-memory "store" with keyset pagination.
struct FakeStore {
  std::map<std::int64_t, Post> posts;
  int writes = 0;
  ReanalyzeIo Io() {
    ReanalyzeIo io;
    io.read_batch = [this](const Post* last, std::size_t limit) -> Result<std::vector<Post>> {
      std::vector<Post> out;
      for (auto it = posts.upper_bound(last ? last->id : 0); it != posts.end() && out.size() < limit; ++it) out.push_back(it->second);
      return out;
    };
    io.write_batch = [this](const std::vector<Post>& batch) {
      ++writes;
      for (const Post& p : batch) posts[p.id] = p;
      return Status::Ok();
    };
    io.count = [this]() -> Result<std::int64_t> { return static_cast<std::int64_t>(posts.size()); };
    return io;
  }
};

std::unique_ptr<Analyzer> MakeAnalyzer() {
  auto a = Analyzer::Create(AnalyzerOptions{}, Taxonomy::Embedded().value());
  return std::move(a).value();
}

TEST(ReanalyzeTest, RecomputesEveryPostAndReportsProgress) {
  FakeStore store;
  for (int i = 1; i <= 7; ++i) {
    Post p;
    p.id = i * 10;
    p.content = i % 2 ? "OVH support never answered, my VPS is down. Scam!" : "OVH VPS works great, thanks.";
    p.rating = 1;  // source-given; must survive
    store.posts[p.id] = p;
  }
  auto analyzer = MakeAnalyzer();
  std::vector<ReanalyzeProgress> seen;
  auto result = ReanalyzeAll(*analyzer, store.Io(), 3, [&](const ReanalyzeProgress& p) {
    seen.push_back(p);
    return Status::Ok();
  });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->done, 7);
  EXPECT_EQ(result->changed, 7);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].done, 3);
  EXPECT_EQ(seen[0].total, 7);
  for (const auto& [id, p] : store.posts) {
    EXPECT_NE(p.language, "");
    EXPECT_EQ(p.rating, 1);
    EXPECT_NE(p.evidence_json, "{}");
  }
  // Idempotent: a second run changes nothing and writes nothing.
  const int writes = store.writes;
  auto again = ReanalyzeAll(*analyzer, store.Io(), 3);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->changed, 0);
  EXPECT_EQ(store.writes, writes);
}

TEST(ReanalyzeTest, ProgressCallbackCanCancel) {
  FakeStore store;
  for (int i = 1; i <= 5; ++i) {
    store.posts[i].id = i;
    store.posts[i].content = "ovh";
  }
  auto analyzer = MakeAnalyzer();
  auto result = ReanalyzeAll(*analyzer, store.Io(), 2,
                             [](const ReanalyzeProgress&) { return Status::Aborted("cancelled"); });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kAborted);
}

TEST(ReanalyzeTest, ErrorsPropagate) {
  auto analyzer = MakeAnalyzer();
  ReanalyzeIo io;
  io.read_batch = [](const Post*, std::size_t) -> Result<std::vector<Post>> {
    return Status::Unavailable("db down");
  };
  io.write_batch = [](const std::vector<Post>&) { return Status::Ok(); };
  EXPECT_EQ(ReanalyzeAll(*analyzer, io).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(ReanalyzeAll(*analyzer, ReanalyzeIo{}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ct
