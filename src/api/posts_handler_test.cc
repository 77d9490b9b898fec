// The /posts endpoints end to end: real SQLite store, real HTTP.
#include <nlohmann/json.hpp>
#include <set>

#include "api/api_test_fixture.h"
#include "domain/post_query.h"

namespace ct::testing {
namespace {

using nlohmann::json;

// Splits RFC 4180 text into records of fields.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(std::move(field));
      field.clear();
      rows.emplace_back();
      ++i;
    } else {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

TEST_F(ApiTest, ListWalksEveryPageWithTheCursor) {
  Seed(120);
  StartServer();
  std::vector<std::int64_t> ids;
  std::string target = "/posts?limit=50";
  int pages = 0;
  while (true) {
    auto r = Get(target);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/json");
    auto j = json::parse(r.body);
    for (const auto& p : j["items"]) ids.push_back(p["id"].get<std::int64_t>());
    ++pages;
    if (j["next_cursor"].is_null()) break;
    target = "/posts?limit=50&cursor=" + j["next_cursor"].get<std::string>();
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(ids.size(), 120u);
  EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), 120u);
  EXPECT_EQ(pages, 3);
}

TEST_F(ApiTest, PostJsonHasEveryField) {
  Post p = MakePost(1);
  p.rating = 4;
  p.engagement = {3, 10, 2};
  p.evidence_json = R"({"complaint":["down"]})";
  ASSERT_TRUE(store_->UpsertPosts(std::vector<Post>{p}).ok());
  StartServer();
  auto r = Get("/posts/1");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["source"], "reddit");
  EXPECT_EQ(j["created_at"], "2023-11-14T23:13:20Z");
  EXPECT_EQ(j["rating"], 4);
  EXPECT_EQ(j["engagement"]["likes"], 3);
  EXPECT_EQ(j["evidence"]["complaint"][0], "down");
  EXPECT_TRUE(j["metadata"].is_object());
  EXPECT_TRUE(j["answered_at"].is_null());
  for (const char* key : {"id",
                          "external_id",
                          "url",
                          "title",
                          "content",
                          "author",
                          "collected_at",
                          "language",
                          "sentiment_score",
                          "sentiment_label",
                          "is_complaint",
                          "complaint_score",
                          "product",
                          "country",
                          "relevance_score",
                          "answered",
                          "answered_by",
                          "answered_method",
                          "false_positive",
                          "content_hash"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  auto list = json::parse(Get("/posts").body);
  EXPECT_TRUE(list["items"][0]["rating"] == 4);
}

TEST_F(ApiTest, FiltersSelectTheMatchingPosts) {
  Seed(40);
  StartServer();
  auto items = [&](const std::string& q) {
    auto r = Get("/posts?limit=200&" + q);
    EXPECT_EQ(r.status, 200) << q << ": " << r.body;
    return json::parse(r.body)["items"];
  };
  auto reddit = items("source=reddit");
  EXPECT_EQ(reddit.size(), 20u);
  for (const auto& p : reddit) EXPECT_EQ(p["source"], "reddit");
  EXPECT_EQ(items("source=reddit,trustpilot").size(), 40u);
  EXPECT_EQ(items("complaint=true").size(), 10u);
  EXPECT_EQ(items("sentiment=negative").size(), 10u);
  EXPECT_EQ(items("country=de").size(), 8u);
  EXPECT_EQ(items("since=2023-11-15T00:00:00Z&until=2023-11-15T05:00:00Z").size(), 5u);
  auto oldest = items("sort=oldest");
  EXPECT_EQ(oldest[0]["external_id"], "ext-0");
}

TEST_F(ApiTest, BadQueryParametersAre400NamingTheProblem) {
  StartServer();
  struct Case {
    std::string target;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"/posts?foo=1", "unknown parameter 'foo'"},
           {"/posts?limit=0", "'limit' must be an integer between 1 and 200"},
           {"/posts?limit=500", "'limit' must be an integer between 1 and 200"},
           {"/posts?limit=ten", "'limit'"},
           {"/posts?limit=5&limit=6", "'limit' given more than once"},
           {"/posts?cursor=%%%", "malformed percent escape"},
           {"/posts?cursor=notacursor", "'cursor' is invalid"},
           {"/posts?sort=best", "'sort'"},
           {"/posts?since=tomorrow", "'since' must be an ISO 8601 time"},
           {"/posts?complaint=maybe", "'complaint' must be true or false"},
           {"/posts?false_positive=2", "'false_positive'"},
           {"/posts/stats?bucket=year", "'bucket' must be day, week or month"},
           {"/posts/stats?cursor=x", "unknown parameter 'cursor'"},
           {"/posts/export.csv?limit=10", "unknown parameter 'limit'"},
           {"/posts/abc", "post id must be a positive integer"},
           {"/posts/-1", "post id must be a positive integer"},
       }) {
    auto r = Get(c.target);
    EXPECT_EQ(r.status, 400) << c.target;
    EXPECT_EQ(r.Header("Content-Type"), "application/json") << c.target;
    EXPECT_NE(r.body.find(c.message), std::string::npos) << c.target << " -> " << r.body;
  }
  EXPECT_EQ(Get("/posts/424242").status, 404);
}

TEST_F(ApiTest, PatchValidatesItsBody) {
  Seed(1);
  StartServer();
  const std::string op = Issue(Role::kOperator, "op");
  auto patch = [&](const std::string& target, const std::string& body,
                   const std::string& type = "application/json") {
    return Fetch(server_->port(), "PATCH", target,
                 {{"Authorization", "Bearer " + op}, {"Content-Type", type}}, body);
  };
  struct Case {
    std::string body;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"{", "not valid JSON"},
           {"[true]", "must be a JSON object"},
           {"{}", "must set 'answered' and/or 'false_positive'"},
           {R"({"answered":"yes"})", "field 'answered' must be a boolean"},
           {R"({"false_positive":1})", "field 'false_positive' must be a boolean"},
           {R"({"answered":true,"note":"x"})", "unknown field 'note'"},
       }) {
    auto r = patch("/posts/1", c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(ErrorCode(r), "invalid_argument") << c.body;
    EXPECT_NE(ErrorMessage(r).find(c.message), std::string::npos) << c.body << " -> " << r.body;
  }
  EXPECT_EQ(patch("/posts/1", R"({"answered":true})", "text/plain").status, 400);
  EXPECT_EQ(patch("/posts/99", R"({"answered":true})").status, 404);
  // Nothing was changed by the rejected requests.
  EXPECT_FALSE(store_->GetPost(1)->answered);
}

TEST_F(ApiTest, PatchTriagesAndFalsePositivesLeaveTheDefaultList) {
  Seed(3);
  StartServer();
  const std::string op = Issue(Role::kOperator, "care-team");
  auto r = Fetch(server_->port(), "PATCH", "/posts/2", {{"Authorization", "Bearer " + op}},
                 R"({"answered":true,"false_positive":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["answered"], true);
  EXPECT_EQ(j["answered_by"], "care-team");
  EXPECT_EQ(j["answered_method"], "manual");
  EXPECT_EQ(j["answered_at"], "2023-11-14T22:13:20Z");  // the FakeClock's now
  EXPECT_EQ(j["false_positive"], true);
  auto count = [&](const std::string& q) {
    return json::parse(Get("/posts" + q).body)["items"].size();
  };
  EXPECT_EQ(count(""), 2u);
  EXPECT_EQ(count("?false_positive=true"), 1u);
  EXPECT_EQ(count("?false_positive=any"), 3u);
  EXPECT_EQ(count("?answered=true&false_positive=any"), 1u);
}

TEST_F(ApiTest, StatsAggregateTheFilteredPosts) {
  Seed(40);
  StartServer();
  auto r = Get("/posts/stats?bucket=day");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["total"], 40);
  EXPECT_EQ(j["complaints"], 10);
  EXPECT_EQ(j["bucket"], "day");
  EXPECT_FALSE(j["timeline"].empty());
  EXPECT_EQ(j["by_source"].size(), 2u);
  auto reddit = json::parse(Get("/posts/stats?source=reddit&bucket=month").body);
  EXPECT_EQ(reddit["total"], 20);
}

TEST_F(ApiTest, CsvExportStreamsEveryRowWithQuoting) {
  constexpr int kPosts = 3000;
  std::vector<Post> posts;
  for (int i = 0; i < kPosts; ++i) {
    Post p = MakePost(i);
    if (i % 3 == 0) p.content = "comma, \"quote\" and\r\nnew line " + std::to_string(i);
    if (i % 7 == 0) p.title = "naïve \"title\", " + std::to_string(i);
    posts.push_back(std::move(p));
  }
  ASSERT_TRUE(store_->UpsertPosts(posts).ok());
  StartServer();
  auto r = Get("/posts/export.csv?sort=oldest");
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 200);
  EXPECT_TRUE(r.chunked);
  EXPECT_EQ(r.Header("Content-Type"), "text/csv; charset=utf-8");
  auto rows = ParseCsv(r.body);
  ASSERT_EQ(rows.size(), kPosts + 1u);
  ASSERT_EQ(rows[0][0], "id");
  ASSERT_EQ(rows[0][5], "content");
  for (int i = 0; i < kPosts; ++i) {
    const auto& row = rows[i + 1];
    ASSERT_EQ(row.size(), rows[0].size()) << "row " << i;
    EXPECT_EQ(row[2], posts[i].external_id);
    EXPECT_EQ(row[4], posts[i].title);
    EXPECT_EQ(row[5], posts[i].content);
  }
  // Filters apply to the export too.
  auto reddit = ParseCsv(Get("/posts/export.csv?source=reddit").body);
  EXPECT_EQ(reddit.size(), kPosts / 2 + 1u);
}

}  // namespace
}  // namespace ct::testing
