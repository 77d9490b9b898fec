#include "analysis/analyzer_factory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/config.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

Post Text(const std::string& content) {
  Post p;
  p.source = "reddit";
  p.content = content;
  return p;
}

class AnalyzerFactoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ct_analyzer_factory_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // config/taxonomy.toml with "frobnicator" added to the VPS product terms.
  std::string TaxonomyWithFrobnicator() {
    std::ifstream in(CT_SOURCE_DIR "/config/taxonomy.toml");
    std::stringstream text;
    text << in.rdbuf();
    std::string toml = text.str();
    const std::string vps = R"(en = ["vps", )";
    const auto at = toml.find(vps);
    EXPECT_NE(at, std::string::npos);
    if (at != std::string::npos) toml.insert(at + vps.size(), R"("frobnicator", )");
    const fs::path path = dir_ / "taxonomy.toml";
    std::ofstream(path) << toml;
    return path.string();
  }

  fs::path dir_;
};

TEST_F(AnalyzerFactoryTest, TheCompanyTaxonomyFileIsUsedElseTheBuiltInOne) {
  const Post post = Text("I use my OVH frobnicator every day for my side projects.");
  CompanyConfig company;
  auto built_in = AnalyzerForCompany(company);
  ASSERT_TRUE(built_in.ok()) << built_in.status().ToString();
  EXPECT_EQ((*built_in)->Analyze(post).product, "");

  company.taxonomy = TaxonomyWithFrobnicator();
  auto from_file = AnalyzerForCompany(company);
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_EQ((*from_file)->Analyze(post).product, "vps");

  // An explicit override wins over the config (complaints analyze --taxonomy).
  const fs::path not_a_taxonomy = dir_ / "bad.toml";
  std::ofstream(not_a_taxonomy) << "this is not a taxonomy";
  auto overridden = AnalyzerForCompany(company, not_a_taxonomy.string());
  ASSERT_FALSE(overridden.ok());
  EXPECT_NE(overridden.status().message().find(not_a_taxonomy.string()), std::string::npos)
      << overridden.status().ToString();
}

TEST_F(AnalyzerFactoryTest, AMissingTaxonomyFileIsAnErrorNamingIt) {
  CompanyConfig company;
  company.taxonomy = (dir_ / "nowhere.toml").string();
  auto analyzer = AnalyzerForCompany(company);
  ASSERT_FALSE(analyzer.ok());
  EXPECT_NE(analyzer.status().ToString().find("nowhere.toml"), std::string::npos)
      << analyzer.status().ToString();
}

}  // namespace
}  // namespace ct
