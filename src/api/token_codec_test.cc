#include "api/token_codec.h"

#include <gtest/gtest.h>

#include <set>

namespace ct {
namespace {

TEST(TokenCodecTest, GeneratesDistinctUrlSafeSecretsThatRoundTrip) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto secret = GenerateTokenSecret();
    ASSERT_TRUE(secret.ok());
    EXPECT_EQ(secret->size(), 43u);
    EXPECT_TRUE(seen.insert(*secret).second);
    std::string wire = FormatWireToken(1234, *secret);
    auto parts = ParseWireToken(wire);
    ASSERT_TRUE(parts.ok()) << wire;
    EXPECT_EQ(parts->id, 1234);
    EXPECT_EQ(parts->secret, *secret);
  }
}

TEST(TokenCodecTest, SecretsMayContainUnderscores) {
  std::string secret(43, '_');
  auto parts = ParseWireToken("ct_7_" + secret);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->id, 7);
  EXPECT_EQ(parts->secret, secret);
}

TEST(TokenCodecTest, RejectsMalformedTokens) {
  std::string s(43, 'a');
  for (const std::string& bad :
       std::vector<std::string>{"", "ct_", "ct__" + s, "xx_1_" + s, "ct_1_" + s.substr(1),
                                "ct_1_" + s + "a", "ct_-1_" + s, "ct_0_" + s, "ct_1x_" + s,
                                "ct_1_" + s.substr(1) + "=", "ct_99999999999999999999_" + s}) {
    EXPECT_FALSE(ParseWireToken(bad).ok()) << bad;
  }
}

TEST(TokenCodecTest, HashesAndComparesSecrets) {
  // SHA-256("abc")
  EXPECT_EQ(HashTokenSecret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(TokenSecretMatches("abc", HashTokenSecret("abc")));
  EXPECT_FALSE(TokenSecretMatches("abd", HashTokenSecret("abc")));
  EXPECT_FALSE(TokenSecretMatches("abc", ""));
}

}  // namespace
}  // namespace ct
