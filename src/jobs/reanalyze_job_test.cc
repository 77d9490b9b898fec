#include "jobs/reanalyze_job.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "jobs/builtin_jobs.h"
#include "store/store.h"

namespace ct {
namespace {

class ReanalyzeJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ct_reanalyze_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    options_.config.store.database_url = "sqlite:" + (dir_ / "c.db").string();
    auto store = OpenStore(options_.config.store, clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // `n` distinct posts, created one per minute; the 5th mentions a word no taxonomy knows yet.
  void Seed(int n) {
    std::vector<Post> posts;
    for (int i = 1; i <= n; ++i) {
      Post p;
      p.source = "trustpilot";
      p.external_id = "r" + std::to_string(i);
      p.created_at = 1'700'000'000 + 60 * i;
      p.content = i == 5 ? "The OVH frobnicator is fine, nothing to report."
                         : i % 2 ? "OVH support never answered, my VPS is down."
                                 : "OVH web hosting works great, thanks.";
      p.content += " #" + std::to_string(i);  // the same content twice would be one post
      if (i == 2) p.rating = 1;  // a source-given rating: never derived, never lost
      posts.push_back(p);
    }
    auto r = store_->UpsertPosts(posts);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  std::vector<Post> AllPosts() {
    PostPageRequest req;
    req.filter.false_positive = std::nullopt;
    req.sort = PostSort::kOldest;
    req.limit = kMaxPageSize;
    auto page = store_->ListPosts(req);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items : std::vector<Post>{};
  }

  Result<std::string> Run(const std::string& payload, std::vector<JobProgress>* seen,
                          bool cancel_after_first = false) {
    std::atomic<bool> cancel{false};
    JobContext ctx("j1", "reanalyze", payload, 1,
                   [&](const JobProgress& p) {
                     seen->push_back(p);
                     if (cancel_after_first && p.done > 0) cancel = true;
                   },
                   &cancel);
    return RunReanalyze(options_, clock_, ctx);
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  ReanalyzeJobOptions options_;
  std::unique_ptr<Store> store_;
};

TEST_F(ReanalyzeJobTest, RecomputesStoredPostsAfterATaxonomyChangeAndReportsProgress) {
  Seed(7);
  ASSERT_EQ(AllPosts().size(), 7u);
  auto triaged = store_->UpdateTriage(AllPosts()[3].id, TriagePatch{{}, true, "t", "manual", 0});
  ASSERT_TRUE(triaged.ok()) << triaged.status().ToString();

  std::vector<JobProgress> seen;
  auto first = Run(R"({"batch_size":3})", &seen);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(nlohmann::json::parse(*first),
            (nlohmann::json{{"done", 7}, {"changed", 7}, {"total", 7}}));
  // Real progress: a first report before any work, one per batch of 3, then the final 7/7.
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[4].done, 7);
  EXPECT_EQ(seen[4].total, 7);
  EXPECT_EQ(seen[1].done, 3);
  EXPECT_EQ(seen[1].total, 7);
  EXPECT_EQ(seen[2].done, 6);
  EXPECT_EQ(seen[3].done, 7);
  EXPECT_EQ(seen[3].total, 7);
  EXPECT_NE(seen[3].message.find("7 posts analysed"), std::string::npos) << seen[3].message;

  std::vector<Post> posts = AllPosts();
  ASSERT_EQ(posts.size(), 7u);
  for (const Post& p : posts) {
    EXPECT_EQ(p.language, "en") << p.content;
    EXPECT_NE(p.evidence_json, "{}");
  }
  EXPECT_TRUE(posts[0].is_complaint);
  EXPECT_EQ(posts[0].product, "vps");
  EXPECT_TRUE(posts[1].is_complaint) << "a 1-star rating outweighs the praise";
  EXPECT_EQ(posts[1].rating, 1.0);
  EXPECT_FALSE(posts[3].is_complaint);
  EXPECT_EQ(posts[3].product, "web_hosting");
  EXPECT_TRUE(posts[3].false_positive) << "triage survives";
  EXPECT_EQ(posts[4].product, "") << "no taxonomy knows the frobnicator yet";

  // Nothing changed: nothing written.
  seen.clear();
  auto again = Run("{}", &seen);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(nlohmann::json::parse(*again)["changed"], 0);
  EXPECT_EQ(AllPosts(), posts);

  // The taxonomy changes: the frobnicator is now a VPS term. Only that post changes.
  std::ifstream in(std::string(CT_SOURCE_DIR) + "/config/taxonomy.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string toml = text.str();
  const std::string vps = R"(en = ["vps", )";
  const auto at = toml.find(vps);
  ASSERT_NE(at, std::string::npos);
  toml.insert(at + vps.size(), R"("frobnicator", )");
  // Named by the config ([company] taxonomy), as an operator would, not by a job option.
  options_.config.company.taxonomy = (dir_ / "taxonomy.toml").string();
  std::ofstream(options_.config.company.taxonomy) << toml;

  seen.clear();
  auto changed = Run("{}", &seen);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(nlohmann::json::parse(*changed),
            (nlohmann::json{{"done", 7}, {"changed", 1}, {"total", 7}}));
  std::vector<Post> after = AllPosts();
  EXPECT_EQ(after[4].product, "vps");
  EXPECT_NE(after[4].evidence_json.find("frobnicator"), std::string::npos) << after[4].evidence_json;
  for (int i : {0, 1, 2, 3, 5, 6}) EXPECT_EQ(after[i], posts[i]) << i;
}

TEST_F(ReanalyzeJobTest, CancellationStopsBetweenBatchesKeepingWhatWasWritten) {
  Seed(5);
  std::vector<JobProgress> seen;
  auto r = Run(R"({"batch_size":2})", &seen, /*cancel_after_first=*/true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kAborted);
  ASSERT_EQ(seen.back().done, 2);
  std::vector<Post> posts = AllPosts();
  EXPECT_EQ(posts[0].language, "en");
  EXPECT_EQ(posts[1].language, "en");
  EXPECT_EQ(posts[2].language, "") << "not reached";
  // A rerun finishes the work.
  seen.clear();
  auto rest = Run("{}", &seen);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(nlohmann::json::parse(*rest)["changed"], 3);
}

TEST_F(ReanalyzeJobTest, RegisteredWithValidatedPayload) {
  JobRegistry r;
  BuiltinJobOptions o;
  ASSERT_TRUE(RegisterBuiltinJobs(r, o, clock_).ok());
  ASSERT_NE(r.Find("reanalyze"), nullptr);
  EXPECT_EQ(r.Find("reanalyze")->isolation, JobIsolation::kIsolated);
  EXPECT_TRUE(r.ValidatePayload("reanalyze", "{}").ok());
  EXPECT_TRUE(r.ValidatePayload("reanalyze", R"({"batch_size":5000})").ok());
  Status zero = r.ValidatePayload("reanalyze", R"({"batch_size":0})");
  EXPECT_EQ(zero.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(zero.message().find("payload.batch_size must be an integer between 1 and 5000"),
            std::string::npos)
      << zero.message();
  EXPECT_NE(r.ValidatePayload("reanalyze", R"({"batch":10})").message().find("unknown key 'batch'"),
            std::string::npos);
}

}  // namespace
}  // namespace ct
