#include "domain/post_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ct {
namespace {

TEST(PostJsonTest, ParsesEveryField) {
  auto p = ParsePostJson(R"({"source":"trustpilot","external_id":"r1","url":"https://x/y",
    "title":"Bad","content":"Serveur en panne","author":"Ana","created_at":"2024-05-01T10:00:00Z",
    "collected_at":1714557600,"language":"fr","sentiment_score":-0.5,"sentiment_label":"negative",
    "is_complaint":true,"complaint_score":0.9,"product":"vps","country":"FR","relevance_score":0.8,
    "rating":1,"engagement":{"likes":3,"score":2,"comments":1},"evidence":{"complaint":["panne"]},
    "metadata":{"reviewer_country":"FR"},"answered":false,"false_positive":false,"id":99})");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->id, 0);
  EXPECT_EQ(p->created_at, 1714557600);
  EXPECT_EQ(p->collected_at, 1714557600);
  EXPECT_EQ(p->rating, 1.0);
  EXPECT_EQ(p->engagement.likes, 3);
  EXPECT_EQ(nlohmann::json::parse(p->evidence_json)["complaint"][0], "panne");
}

TEST(PostJsonTest, NamesTheBadField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"external_id":"1","created_at":0})", "source"},
      {R"({"source":"x","created_at":0})", "external_id"},
      {R"({"source":"x","external_id":"1"})", "created_at"},
      {R"({"source":"x","external_id":"1","created_at":"yesterday"})", "created_at"},
      {R"({"source":"x","external_id":"1","created_at":0,"colour":"red"})", "colour"},
      {R"({"source":1,"external_id":"1","created_at":0})", "source"},
      {R"({"source":"x","external_id":"1","created_at":0,"rating":9})", "rating"},
      {R"({"source":"x","external_id":"1","created_at":0,"engagement":{"views":1}})", "views"},
      {R"({"source":"x","external_id":"1","created_at":0,"evidence":[1]})", "evidence"},
      {R"({"source":"x",)", "JSON"},
      {R"([1,2])", "object"},
  };
  for (const auto& [json, field] : cases) {
    auto p = ParsePostJson(json);
    ASSERT_FALSE(p.ok()) << json;
    EXPECT_NE(p.status().message().find(field), std::string::npos) << p.status().message();
  }
}

TEST(PostJsonTest, RoundTripsThroughTheRenderedForm) {
  Post p;
  p.id = 7;
  p.source = "reddit";
  p.external_id = "t3_x";
  p.title = "Quote \" and \\ and\nnewline \x01";
  p.content = "Ça marche pas — 😡";
  p.created_at = 1700000000;
  p.collected_at = 1700000100;
  p.rating = 2.5;
  p.sentiment_score = -0.123456789;  // numbers round-trip exactly (shortest form)
  p.relevance_score = 0.1 + 0.2;
  p.complaint_score = 1e-9;
  p.answered = true;
  p.answered_at = 1700000200;
  p.evidence_json = R"({"product":["vps"]})";
  std::string out;
  AppendPostJson(p, out);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["id"], 7);
  EXPECT_EQ(j["title"], p.title);
  EXPECT_EQ(j["created_at"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(j["evidence"]["product"][0], "vps");
  EXPECT_TRUE(j["metadata"].is_object());
  auto back = ParsePostJson(out);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  Post expected = p;
  expected.id = 0;
  expected.content_hash.clear();
  EXPECT_EQ(*back, expected);
}

}  // namespace
}  // namespace ct
