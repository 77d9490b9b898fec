#include "api/post_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "domain/post_json.h"

namespace ct {
namespace {

Post Sample() {
  Post p;
  p.id = 12;
  p.source = "trustpilot";
  p.external_id = "abc";
  p.url = "https://example.com/r/abc";
  p.title = "Panne \"totale\"";
  p.content = "Ligne 1\nLigne 2\twith tab é";
  p.author = "Zoé";
  p.created_at = 1700000000;
  p.collected_at = 1700000100;
  p.language = "fr";
  p.sentiment_score = -0.123456789;
  p.sentiment_label = "negative";
  p.is_complaint = true;
  p.complaint_score = 0.875;
  p.product = "vps";
  p.country = "FR";
  p.relevance_score = 0.5;
  p.rating = 1;
  p.engagement = {4, -2, 7};
  p.evidence_json = R"({"complaint":["panne"]})";
  p.metadata_json = R"({"stars":1})";
  p.answered = true;
  p.answered_at = 1700000200;
  p.answered_by = "care";
  p.answered_method = "manual";
  p.content_hash = "ff00";
  return p;
}

TEST(PostJsonTest, IsTheDomainForm) {
  Post p = Sample();
  std::string mine = RenderPost(p);
  std::string domain;
  AppendPostJson(p, domain);
  EXPECT_EQ(mine, domain);
  auto a = nlohmann::json::parse(mine);
  EXPECT_EQ(a["sentiment_score"].get<double>(), -0.123456789);  // full precision here
  // What the API returns can be imported back.
  auto parsed = ParsePostJson(mine);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->content, p.content);
  EXPECT_EQ(parsed->answered_at, p.answered_at);
  EXPECT_EQ(parsed->engagement, p.engagement);
}

TEST(PostJsonTest, PageAndNullables) {
  Post p = Sample();
  p.rating.reset();
  p.answered_at.reset();
  p.evidence_json.clear();
  PostPage page;
  page.items = {p, p};
  page.next = PostCursor{PostSort::kNewest, 1700000000, 0, 12};
  auto j = nlohmann::json::parse(RenderPostPage(page));
  ASSERT_EQ(j["items"].size(), 2u);
  EXPECT_TRUE(j["items"][0]["rating"].is_null());
  EXPECT_TRUE(j["items"][0]["answered_at"].is_null());
  EXPECT_TRUE(j["items"][0]["evidence"].is_object());
  EXPECT_EQ(j["items"][1]["created_at"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(j["next_cursor"], EncodeCursor(*page.next));
  page.next.reset();
  EXPECT_TRUE(nlohmann::json::parse(RenderPostPage(page))["next_cursor"].is_null());
}

}  // namespace
}  // namespace ct
