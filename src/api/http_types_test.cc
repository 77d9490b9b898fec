#include "api/http_types.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

TEST(HttpTypesTest, HeadersAreCaseInsensitive) {
  HttpHeaders h;
  h.Add("Content-Type", "a");
  h.Add("vary", "Origin");
  EXPECT_EQ(h.Get("content-type").value_or(""), "a");
  h.Set("CONTENT-TYPE", "b");
  EXPECT_EQ(h.Get("Content-Type").value_or(""), "b");
  EXPECT_EQ(h.entries().size(), 2u);
  EXPECT_FALSE(h.Has("missing"));
}

TEST(HttpTypesTest, ParsesQueryStrings) {
  auto q = ParseQueryString("a=1&b=x%20y+z&a=2&&flag&e=");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->count("a"), 2u);
  EXPECT_EQ(q->find("b")->second, "x y z");
  EXPECT_EQ(q->find("flag")->second, "");
  EXPECT_EQ(q->find("e")->second, "");
  EXPECT_FALSE(ParseQueryString("a=%4").ok());
  EXPECT_FALSE(ParseQueryString("a=%G0").ok());
  EXPECT_EQ(PercentDecode("/a+b%2F", false).value(), "/a+b/");
}

}  // namespace
}  // namespace ct
