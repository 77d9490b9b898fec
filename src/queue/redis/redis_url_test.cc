#include "queue/redis/redis_url.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

TEST(ParseRedisUrlTest, HostOnlyTakesDefaults) {
  auto ep = ParseRedisUrl("redis://cache.internal");
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_EQ(ep->host, "cache.internal");
  EXPECT_EQ(ep->port, 6379);
  EXPECT_EQ(ep->db, 0);
  EXPECT_EQ(ep->password, "");
}

TEST(ParseRedisUrlTest, FullForm) {
  auto ep = ParseRedisUrl("redis://queue:s3cr:et@10.0.0.5:6380/2");
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_EQ(ep->user, "queue");
  EXPECT_EQ(ep->password, "s3cr:et");
  EXPECT_EQ(ep->host, "10.0.0.5");
  EXPECT_EQ(ep->port, 6380);
  EXPECT_EQ(ep->db, 2);
}

TEST(ParseRedisUrlTest, BarePassword) {
  auto ep = ParseRedisUrl("redis://:pw@h:1");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->user, "");
  EXPECT_EQ(ep->password, "pw");
}

TEST(ParseRedisUrlTest, RejectsBadInput) {
  EXPECT_EQ(ParseRedisUrl("http://h").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRedisUrl("redis://h:0").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRedisUrl("redis://h:99999").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRedisUrl("redis://h:12x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRedisUrl("redis://h/x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRedisUrl("redis://").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ct
