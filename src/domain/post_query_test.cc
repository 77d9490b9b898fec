#include "domain/post_query.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

TEST(CursorTest, RoundTripsEverySort) {
  const PostCursor cursors[] = {
      {PostSort::kNewest, 1700000000, 0, 42},
      {PostSort::kOldest, -5, 0, 1},
      {PostSort::kRelevance, 0, 0.1234567890123, 99},
  };
  for (const auto& c : cursors) {
    const std::string text = EncodeCursor(c);
    EXPECT_EQ(text.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    auto back = DecodeCursor(text, c.sort);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, c);
  }
}

TEST(CursorTest, RejectsMalformedOrForeignSort) {
  EXPECT_FALSE(DecodeCursor("", PostSort::kNewest).ok());
  EXPECT_FALSE(DecodeCursor("!!!", PostSort::kNewest).ok());
  EXPECT_FALSE(DecodeCursor("bm90LWEtY3Vyc29y", PostSort::kNewest).ok());  // "not-a-cursor"
  const std::string newest = EncodeCursor({PostSort::kNewest, 10, 0, 3});
  auto r = DecodeCursor(newest, PostSort::kOldest);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("sort=newest"), std::string::npos);
  EXPECT_FALSE(DecodeCursor(EncodeCursor({PostSort::kNewest, 10, 0, 0}), PostSort::kNewest).ok());
}

TEST(ParseTest, SortAndBucketNames) {
  EXPECT_EQ(*ParsePostSort("relevance"), PostSort::kRelevance);
  EXPECT_FALSE(ParsePostSort("random").ok());
  EXPECT_EQ(*ParseStatsBucket("week"), StatsBucket::kWeek);
  EXPECT_FALSE(ParseStatsBucket("year").ok());
}

}  // namespace
}  // namespace ct
