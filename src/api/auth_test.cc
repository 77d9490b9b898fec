// Token issue/verify against the real SQLite store, and 401/403/200 over HTTP.
#include "api/auth.h"

#include <nlohmann/json.hpp>

#include "api/api_test_fixture.h"
#include "api/token_codec.h"

namespace ct::testing {
namespace {

TEST_F(ApiTest, IssuedTokenAuthenticatesAndStoresOnlyTheHash) {
  auto issued = IssueToken(*store_, clock_, "alice", Role::kOperator);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  auto parts = ParseWireToken(issued->wire);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->id, issued->token.id);
  auto stored = store_->GetToken(issued->token.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->secret_hash, HashTokenSecret(parts->secret));
  EXPECT_EQ(stored->secret_hash.find(parts->secret), std::string::npos);
  EXPECT_EQ(stored->created_at, clock_.NowSeconds());

  auto ok = Authenticate(*store_, "Bearer " + issued->wire);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->name, "alice");
  EXPECT_EQ(ok->role, Role::kOperator);
  EXPECT_TRUE(Authenticate(*store_, "bearer  " + issued->wire + " ").ok());
}

TEST_F(ApiTest, AuthenticateRejectsEveryBadCredential) {
  auto issued = IssueToken(*store_, clock_, "bob", Role::kAdmin);
  ASSERT_TRUE(issued.ok());
  auto parts = ParseWireToken(issued->wire).value();
  std::string wrong_secret = parts.secret;
  wrong_secret[0] = wrong_secret[0] == 'A' ? 'B' : 'A';
  for (const std::string& header :
       {std::string(), std::string("Basic abc"), std::string("Bearer "),
        std::string("Bearer nonsense"), "Bearer " + FormatWireToken(parts.id, wrong_secret),
        "Bearer " + FormatWireToken(parts.id + 1000, parts.secret), issued->wire}) {
    auto r = Authenticate(*store_, header);
    ASSERT_FALSE(r.ok()) << header;
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << header;
  }
  EXPECT_EQ(IssueToken(*store_, clock_, "", Role::kViewer).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ApiTest, RevokedTokenIsRejectedAndCacheExpiresWithinTheTtl) {
  auto issued = IssueToken(*store_, clock_, "carol", Role::kOperator);
  ASSERT_TRUE(issued.ok());
  TokenAuthenticator auth(*store_, clock_, 1'000'000);
  const std::string header = "Bearer " + issued->wire;
  ASSERT_TRUE(auth.Authenticate(header).ok());
  ASSERT_TRUE(store_->RevokeToken(issued->token.id, clock_.NowSeconds()).ok());
  EXPECT_FALSE(Authenticate(*store_, header).ok());  // uncached path: at once
  EXPECT_TRUE(auth.Authenticate(header).ok());       // cached for at most the TTL
  clock_.AdvanceMicros(1'000'001);
  auto r = auth.Authenticate(header);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("revoked"), std::string::npos);
  // A cache hit still checks the secret.
  auto other = IssueToken(*store_, clock_, "dave", Role::kViewer);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(auth.Authenticate("Bearer " + other->wire).ok());
  auto parts = ParseWireToken(other->wire).value();
  parts.secret[5] = parts.secret[5] == 'x' ? 'y' : 'x';
  EXPECT_FALSE(auth.Authenticate("Bearer " + FormatWireToken(parts.id, parts.secret)).ok());
}

TEST_F(ApiTest, WritesNeedAnOperatorToken) {
  Seed(1);
  StartServer();
  const std::string viewer = Issue(Role::kViewer, "viewer");
  const std::string op = Issue(Role::kOperator, "op");
  const std::string admin = Issue(Role::kAdmin, "admin");
  const std::string body = R"({"answered":true})";
  auto patch = [&](std::vector<std::pair<std::string, std::string>> headers) {
    headers.emplace_back("Content-Type", "application/json");
    return Fetch(server_->port(), "PATCH", "/posts/1", headers, body);
  };
  auto missing = patch({});
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.Header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(ErrorCode(missing), "unauthenticated");
  EXPECT_EQ(patch({{"Authorization", "Bearer ct_1_garbage"}}).status, 401);
  auto weak = patch({{"Authorization", "Bearer " + viewer}});
  EXPECT_EQ(weak.status, 403);
  EXPECT_EQ(ErrorCode(weak), "permission_denied");
  EXPECT_NE(ErrorMessage(weak).find("needs operator"), std::string::npos) << weak.body;
  auto ok = patch({{"Authorization", "Bearer " + op}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(nlohmann::json::parse(ok.body)["answered_by"], "op");
  EXPECT_EQ(patch({{"Authorization", "Bearer " + admin}}).status, 200);
}

TEST_F(ApiTest, RevokedTokenStopsWorkingOverHttpWithinTheCacheTtl) {
  Seed(1);
  StartServer();
  auto issued = IssueToken(*store_, clock_, "eve", Role::kOperator);
  ASSERT_TRUE(issued.ok());
  auto patch = [&] {
    return Fetch(server_->port(), "PATCH", "/posts/1",
                 {{"Authorization", "Bearer " + issued->wire}}, R"({"false_positive":false})");
  };
  EXPECT_EQ(patch().status, 200);
  ASSERT_TRUE(store_->RevokeToken(issued->token.id, clock_.NowSeconds()).ok());
  clock_.AdvanceSeconds(2);  // past the 1 s cache
  auto r = patch();
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(ErrorMessage(r).find("revoked"), std::string::npos);
}

TEST_F(ApiTest, ReadsArePublicUnlessConfiguredOtherwise) {
  Seed(2);
  config_.public_reads = false;
  StartServer();
  EXPECT_EQ(Get("/posts").status, 401);
  EXPECT_EQ(Get("/posts/1").status, 401);
  EXPECT_EQ(Get("/health").status, 200);  // always public
  EXPECT_EQ(Get("/metrics").status, 200);
  const std::string viewer = Issue(Role::kViewer, "reader");
  EXPECT_EQ(Get("/posts", {{"Authorization", "Bearer " + viewer}}).status, 200);
}

}  // namespace
}  // namespace ct::testing
