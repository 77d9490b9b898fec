#include "core/status.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  CT_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, TransientCodesAreTheRetryableOnes) {
  EXPECT_TRUE(Status::Unavailable("x").transient());
  EXPECT_TRUE(Status::DeadlineExceeded("x").transient());
  EXPECT_TRUE(Status::ResourceExhausted("x").transient());
  EXPECT_FALSE(Status::InvalidArgument("x").transient());
  EXPECT_FALSE(Status::Internal("x").transient());
  EXPECT_FALSE(Status::Ok().transient());
}

TEST(StatusTest, ToStringAndContext) {
  EXPECT_EQ(Status::NotFound("post 3").WithContext("GET").ToString(), "not_found: GET: post 3");
  EXPECT_EQ(Status::Ok().WithContext("x").ToString(), "ok");
}

TEST(ResultTest, AssignOrReturnPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Quarter(3).status().message(), "odd");
  EXPECT_TRUE(Quarter(4).status().ok());
}

}  // namespace
}  // namespace ct
