#include "domain/job.h"

#include <gtest/gtest.h>

#include <set>

namespace ct {
namespace {

TEST(JobTest, StateNamesRoundTrip) {
  for (int i = 0; i < 8; ++i) {
    const auto s = static_cast<JobState>(i);
    EXPECT_EQ(*ParseJobState(JobStateName(s)), s);
  }
  EXPECT_FALSE(ParseJobState("done").ok());
  EXPECT_TRUE(IsFinal(JobState::kDead));
  EXPECT_TRUE(IsActive(JobState::kCancelling));
}

TEST(JobTest, IdsAreUniqueAndSortByTime) {
  std::set<std::string> ids;
  std::string prev;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewJobId(1'700'000'000'000 + i);
    EXPECT_EQ(id.size(), 26u);
    EXPECT_GT(id, prev);
    prev = id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_NE(NewJobId(5), NewJobId(5));
}

}  // namespace
}  // namespace ct
