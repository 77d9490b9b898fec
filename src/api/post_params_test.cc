#include "api/post_params.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

QueryMap Q(std::initializer_list<std::pair<const std::string, std::string>> items) {
  return QueryMap(items);
}

TEST(PostParamsTest, DefaultsExcludeFalsePositives) {
  auto r = ParsePostListQuery({});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->limit, 50);
  EXPECT_EQ(r->sort, PostSort::kNewest);
  EXPECT_EQ(r->filter.false_positive, std::optional<bool>(false));
  EXPECT_FALSE(r->after);
}

TEST(PostParamsTest, ParsesEveryFilter) {
  auto r = ParsePostListQuery(Q({{"source", "reddit,hackernews"},
                                 {"source", "trustpilot"},
                                 {"language", "FR"},
                                 {"sentiment", "negative,neutral"},
                                 {"product", "vps"},
                                 {"country", "fr,de"},
                                 {"complaint", "true"},
                                 {"answered", "false"},
                                 {"false_positive", "any"},
                                 {"since", "2024-01-01"},
                                 {"until", "2024-02-01T00:00:00Z"},
                                 {"q", "slow disk"},
                                 {"sort", "oldest"},
                                 {"limit", "200"}}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->filter.sources, (std::vector<std::string>{"reddit", "hackernews", "trustpilot"}));
  EXPECT_EQ(r->filter.languages, (std::vector<std::string>{"fr"}));
  EXPECT_EQ(r->filter.countries, (std::vector<std::string>{"FR", "DE"}));
  EXPECT_EQ(r->filter.complaint, std::optional<bool>(true));
  EXPECT_EQ(r->filter.answered, std::optional<bool>(false));
  EXPECT_FALSE(r->filter.false_positive.has_value());
  EXPECT_EQ(r->filter.since, std::optional<UnixSeconds>(1704067200));
  EXPECT_EQ(r->filter.until, std::optional<UnixSeconds>(1706745600));
  EXPECT_EQ(r->filter.q, "slow disk");
  EXPECT_EQ(r->sort, PostSort::kOldest);
  EXPECT_EQ(r->limit, 200);
  EXPECT_EQ(ParsePostListQuery(Q({{"false_positive", "true"}}))->filter.false_positive,
            std::optional<bool>(true));
}

TEST(PostParamsTest, CursorRoundTripsForTheSameSort) {
  PostCursor c{PostSort::kRelevance, 0, 0.75, 9};
  auto r = ParsePostListQuery(Q({{"sort", "relevance"}, {"cursor", EncodeCursor(c)}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->after, std::optional<PostCursor>(c));
  auto other = ParsePostListQuery(Q({{"sort", "newest"}, {"cursor", EncodeCursor(c)}}));
  EXPECT_FALSE(other.ok());
}

void ExpectError(const QueryMap& q, const std::string& fragment) {
  auto r = ParsePostListQuery(q);
  ASSERT_FALSE(r.ok()) << fragment;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
}

TEST(PostParamsTest, EveryBadInputNamesTheProblem) {
  ExpectError(Q({{"foo", "1"}}), "unknown parameter 'foo'");
  ExpectError(Q({{"limit", "0"}}), "'limit' must be an integer between 1 and 200");
  ExpectError(Q({{"limit", "201"}}), "'limit'");
  ExpectError(Q({{"limit", "5x"}}), "'limit'");
  ExpectError(Q({{"limit", "5"}, {"limit", "6"}}), "'limit' given more than once");
  ExpectError(Q({{"sort", "best"}}), "'sort' must be newest, oldest or relevance");
  ExpectError(Q({{"cursor", "!!!"}}), "'cursor' is invalid");
  ExpectError(Q({{"complaint", "yes"}}), "'complaint' must be true or false");
  ExpectError(Q({{"false_positive", "maybe"}}), "'false_positive' must be true, false or any");
  ExpectError(Q({{"since", "yesterday"}}), "'since' must be an ISO 8601 time");
  ExpectError(Q({{"since", "2024-02-01"}, {"until", "2024-01-01"}}), "'since' is after 'until'");
  ExpectError(Q({{"sentiment", "angry"}}), "'sentiment' values must be");
  ExpectError(Q({{"source", "a,,b"}}), "'source' has an empty value");
  ExpectError(Q({{"q", ""}}), "'q' must not be empty");
  ExpectError(Q({{"q", "a"}, {"q", "b"}}), "'q' given more than once");
}

TEST(PostParamsTest, StatsAndExportHaveTheirOwnParameters) {
  auto stats = ParsePostStatsQuery(Q({{"bucket", "week"}, {"source", "reddit"}}));
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->bucket, StatsBucket::kWeek);
  EXPECT_FALSE(ParsePostStatsQuery(Q({{"bucket", "year"}})).ok());
  EXPECT_FALSE(ParsePostStatsQuery(Q({{"limit", "5"}})).ok());
  auto exp = ParsePostExportQuery(Q({{"sort", "oldest"}}));
  ASSERT_TRUE(exp.ok());
  EXPECT_EQ(exp->sort, PostSort::kOldest);
  auto capped = ParsePostExportQuery(Q({{"limit", "5"}}));
  ASSERT_FALSE(capped.ok());  // an export is never capped
  EXPECT_NE(capped.status().message().find("unknown parameter 'limit'"), std::string::npos);
}

}  // namespace
}  // namespace ct
