#include "store/sqlite/sqlite_post_filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ct::sqlite {
namespace {

using ::testing::ElementsAre;

TEST(SearchWordsTest, SplitsOnWhitespaceAndPunctuation) {
  EXPECT_THAT(SearchWords("  VPS  down, again!"), ElementsAre("VPS", "down", "again"));
  EXPECT_THAT(SearchWords("l'offre «café» – été…"), ElementsAre("l", "offre", "café", "été"));
  EXPECT_THAT(SearchWords("\"AND OR (\" NEAR*"), ElementsAre("AND", "OR", "NEAR"));
  EXPECT_THAT(SearchWords("\"()*^-:"), ElementsAre());
  EXPECT_THAT(SearchWords(""), ElementsAre());
}

TEST(FtsMatchExpressionTest, QuotesEveryWord) {
  EXPECT_EQ(FtsMatchExpression("vps OR title:x"), R"("vps" "OR" "title" "x")");
  EXPECT_EQ(FtsMatchExpression("\""), "");
}

TEST(BuildPostWhereTest, DefaultExcludesFalsePositives) {
  const SqlWhere w = BuildPostWhere({});
  EXPECT_EQ(w.sql, " WHERE false_positive = 0");
  EXPECT_TRUE(w.params.empty());
}

TEST(BuildPostWhereTest, ListsBecomeInAndValuesAreBound) {
  PostFilter f;
  f.sources = {"a", "b"};
  f.false_positive = std::nullopt;
  f.since = 10;
  f.q = "x";
  const SqlWhere w = BuildPostWhere(f);
  EXPECT_EQ(w.sql,
            " WHERE source IN (?,?) AND created_at >= ? AND id IN (SELECT rowid & 2147483647 "
            "FROM posts_fts WHERE posts_fts MATCH ?)");
  ASSERT_EQ(w.params.size(), 4u);
  EXPECT_EQ(std::get<std::string>(w.params[1]), "b");
  EXPECT_EQ(std::get<std::int64_t>(w.params[2]), 10);
  EXPECT_EQ(std::get<std::string>(w.params[3]), "\"x\"");
}

TEST(SearchKeyTest, OrdersLikeCreatedAtThenId) {
  EXPECT_LT(*SearchKey(100, kSearchKeyIdMask), *SearchKey(101, 1));
  EXPECT_LT(*SearchKey(-5, 7), *SearchKey(-5, 8));
  EXPECT_LT(*SearchKey(-6, kSearchKeyIdMask), *SearchKey(-5, 0));
  EXPECT_EQ(*SearchKey(-5, 7) & kSearchKeyIdMask, 7);
  EXPECT_EQ(SearchKey(std::int64_t{1} << 32, 1), std::nullopt);
  EXPECT_EQ(SearchKey(0, kSearchKeyIdMask + 1), std::nullopt);
  EXPECT_TRUE(SearchKey(-(std::int64_t{1} << 32), 0).has_value());
}

}  // namespace
}  // namespace ct::sqlite
