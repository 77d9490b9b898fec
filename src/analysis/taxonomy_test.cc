#include "analysis/taxonomy.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

TEST(TaxonomyTest, EmbeddedParses) {
  auto tax = Taxonomy::Embedded();
  ASSERT_TRUE(tax.ok()) << tax.status().ToString();
  EXPECT_GE(tax->products.size(), 12u);
  EXPECT_GE(tax->complaints.size(), 10u);
  EXPECT_EQ(tax->products.front().id, "vps");
  EXPECT_FALSE(tax->countries.empty());
}

TEST(TaxonomyTest, FileOnDiskMatchesEmbedded) {
  std::string path = CT_SOURCE_DIR;
  path.append("/config/taxonomy.toml");
  auto disk = Taxonomy::Load(path);
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  EXPECT_EQ(disk->products.size(), Taxonomy::Embedded()->products.size());
}

TEST(TaxonomyTest, UnknownKeysAreErrors) {
  auto tax = Taxonomy::Parse(R"(
[[complaints]]
id = "x"
weight = 0.5
en = ["a"]
colour = "red"
[[products]]
id = "p"
en = ["b"]
)",
                             "t.toml");
  ASSERT_FALSE(tax.ok());
  EXPECT_NE(tax.status().message().find("colour"), std::string::npos);
}

TEST(TaxonomyTest, BadWeightAndSyntaxAreErrors) {
  EXPECT_FALSE(Taxonomy::Parse("[[complaints]]\nid='x'\nweight=2.0\nen=['a']\n[[products]]\nid='p'\nen=['b']\n", "t").ok());
  EXPECT_FALSE(Taxonomy::Parse("[[complaints]\n", "t").ok());
}

}  // namespace
}  // namespace ct
