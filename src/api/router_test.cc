#include "api/router.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

RouteHandler Named(std::string name) {
  return [name](const HttpRequest&, const RequestContext&) {
    HttpResponse r;
    r.body = name;
    return r;
  };
}

std::string Call(const Router::Match& m) {
  return m.route ? m.route->handler(HttpRequest{}, RequestContext{}).body : "";
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_.Add({"GET", "/posts", Access::kRead, "", "", Named("list")}).ok());
    ASSERT_TRUE(router_.Add({"GET", "/posts/{id}", Access::kRead, "", "", Named("get")}).ok());
    ASSERT_TRUE(
        router_.Add({"PATCH", "/posts/{id}", Access::kOperator, "", "", Named("patch")}).ok());
    ASSERT_TRUE(router_.Add({"GET", "/posts/stats", Access::kRead, "", "", Named("stats")}).ok());
    ASSERT_TRUE(router_.Add({"GET", "/", Access::kPublic, "", "", Named("root")}).ok());
  }
  Router router_;
};

TEST_F(RouterTest, MatchesLiteralsAndParams) {
  auto m = router_.Find("GET", "/posts/42");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(Call(m), "get");
  EXPECT_EQ(m.params.at("id"), "42");
  EXPECT_EQ(Call(router_.Find("GET", "/posts/stats")), "stats");
  EXPECT_EQ(Call(router_.Find("GET", "/posts/")), "list");  // trailing slash ignored
  EXPECT_EQ(Call(router_.Find("GET", "/")), "root");
  EXPECT_EQ(Call(router_.Find("PATCH", "/posts/7")), "patch");
}

TEST_F(RouterTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  EXPECT_EQ(router_.Find("GET", "/nope").status, 404);
  EXPECT_EQ(router_.Find("GET", "/posts/1/extra").status, 404);
  auto m = router_.Find("DELETE", "/posts/1");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "PATCH"}));
  auto stats = router_.Find("PATCH", "/posts/stats");  // the literal route owns the path
  EXPECT_EQ(stats.status, 405);
  EXPECT_EQ(stats.allowed, (std::vector<std::string>{"GET"}));
}

TEST_F(RouterTest, RejectsDuplicatesBadPatternsAndLateRoutes) {
  EXPECT_EQ(router_.Add({"GET", "/posts/{other}", Access::kRead, "", "", Named("x")}).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(router_.Add({"GET", "no-slash", Access::kRead, "", "", Named("x")}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(router_.Add({"GET", "/a/{b", Access::kRead, "", "", Named("x")}).code(),
            StatusCode::kInvalidArgument);
  router_.Freeze();
  EXPECT_EQ(router_.Add({"GET", "/late", Access::kRead, "", "", Named("x")}).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(router_.routes().size(), 5u);
  EXPECT_EQ(router_.routes()[2]->index, 2u);
}

}  // namespace
}  // namespace ct
