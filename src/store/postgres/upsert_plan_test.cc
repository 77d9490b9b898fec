#include "store/postgres/upsert_plan.h"

#include <gtest/gtest.h>

#include <vector>

namespace ct::pg {
namespace {

Post MakePost(std::string source, std::string external_id, std::string url, std::string hash) {
  Post p;
  p.source = std::move(source);
  p.external_id = std::move(external_id);
  p.url = std::move(url);
  p.content_hash = std::move(hash);
  p.title = "t";
  p.created_at = 100;
  p.collected_at = 200;
  return p;
}

Post Stored(std::int64_t id, Post p) {
  p.id = id;
  return p;
}

TEST(UpsertPlanTest, NewPostsAreInsertedInBatchOrder) {
  std::vector<Post> batch = {MakePost("hn", "1", "https://a", "h1"),
                             MakePost("hn", "2", "https://b", "h2")};
  UpsertPlan plan = PlanUpsert(batch, {});
  ASSERT_EQ(plan.inserts.size(), 2u);
  EXPECT_EQ(plan.inserts[0].external_id, "1");
  EXPECT_EQ(plan.inserts[1].external_id, "2");
  EXPECT_EQ(plan.inserts[0].id, 0);
  EXPECT_EQ(plan.summary.inserted, 2);
  EXPECT_TRUE(plan.updates.empty());
}

TEST(UpsertPlanTest, IdenticalStoredPostIsUnchanged) {
  Post p = MakePost("hn", "1", "https://a", "h1");
  std::vector<Post> stored = {Stored(7, p)};
  UpsertPlan plan = PlanUpsert(std::vector<Post>{p}, stored);
  EXPECT_EQ(plan.summary.unchanged, 1);
  EXPECT_TRUE(plan.inserts.empty());
  EXPECT_TRUE(plan.updates.empty());
}

TEST(UpsertPlanTest, UpdateKeepsIdentityCreatedAtAndTriage) {
  Post old = Stored(7, MakePost("hn", "1", "https://a", "h1"));
  old.answered = true;
  old.answered_by = "ops";
  old.false_positive = true;
  Post incoming = MakePost("hn", "1", "https://a", "h2");
  incoming.title = "new title";
  incoming.created_at = 999;
  incoming.answered = false;
  UpsertPlan plan = PlanUpsert(std::vector<Post>{incoming}, std::vector<Post>{old});
  EXPECT_EQ(plan.summary.updated, 1);
  ASSERT_EQ(plan.updates.size(), 1u);
  const Post& u = plan.updates[0];
  EXPECT_EQ(u.id, 7);
  EXPECT_EQ(u.title, "new title");
  EXPECT_EQ(u.content_hash, "h2");
  EXPECT_EQ(u.created_at, 100);
  EXPECT_TRUE(u.answered);
  EXPECT_EQ(u.answered_by, "ops");
  EXPECT_TRUE(u.false_positive);
}

TEST(UpsertPlanTest, MatchesByUrlThenBySourceAndHash) {
  std::vector<Post> stored = {Stored(1, MakePost("hn", "1", "https://a", "h1")),
                              Stored(2, MakePost("hn", "2", "", "h2"))};
  Post by_url = MakePost("reddit", "x", "https://a", "other");
  Post by_hash = MakePost("hn", "y", "", "h2");
  by_hash.author = "re-scraped";
  Post hash_other_source = MakePost("reddit", "z", "", "h2");
  UpsertPlan plan = PlanUpsert(std::vector<Post>{by_url, by_hash, hash_other_source}, stored);
  EXPECT_EQ(plan.summary.updated, 2);  // url / author differ
  EXPECT_EQ(plan.summary.inserted, 1);
  ASSERT_EQ(plan.inserts.size(), 1u);
  EXPECT_EQ(plan.inserts[0].external_id, "z");
  ASSERT_EQ(plan.updates.size(), 2u);
  EXPECT_EQ(plan.updates[0].id, 1);
  EXPECT_EQ(plan.updates[0].source, "hn");  // identity kept
  EXPECT_EQ(plan.updates[0].external_id, "1");
}

TEST(UpsertPlanTest, DuplicatesInsideOneBatchFollowBatchOrder) {
  Post a = MakePost("hn", "1", "https://a", "h1");
  Post a_again = a;
  Post a_changed = a;
  a_changed.title = "changed";
  UpsertPlan plan = PlanUpsert(std::vector<Post>{a, a_again, a_changed}, {});
  EXPECT_EQ(plan.summary.inserted, 1);
  EXPECT_EQ(plan.summary.unchanged, 1);
  EXPECT_EQ(plan.summary.updated, 1);
  ASSERT_EQ(plan.inserts.size(), 1u);
  EXPECT_EQ(plan.inserts[0].title, "changed");  // the insert carries the final state
  EXPECT_TRUE(plan.updates.empty());
}

TEST(UpsertPlanTest, AChangedUrlIsNoLongerMatchedByTheOldOne) {
  std::vector<Post> stored = {Stored(1, MakePost("hn", "1", "https://old", "h1"))};
  Post moved = MakePost("hn", "1", "https://new", "h1");
  Post at_old_url = MakePost("reddit", "9", "https://old", "h9");
  UpsertPlan plan = PlanUpsert(std::vector<Post>{moved, at_old_url}, stored);
  EXPECT_EQ(plan.summary.updated, 1);
  EXPECT_EQ(plan.summary.inserted, 1);
}

TEST(UpsertPlanTest, LowestIdWinsAmongSeveralUrlMatches) {
  std::vector<Post> stored = {Stored(5, MakePost("hn", "5", "https://a", "h5")),
                              Stored(3, MakePost("hn", "3", "https://a", "h3"))};
  Post incoming = MakePost("reddit", "r", "https://a", "hr");
  UpsertPlan plan = PlanUpsert(std::vector<Post>{incoming}, stored);
  ASSERT_EQ(plan.updates.size(), 1u);
  EXPECT_EQ(plan.updates[0].id, 3);
}

}  // namespace
}  // namespace ct::pg
