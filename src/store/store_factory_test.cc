#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "core/clock.h"
#include "core/config.h"
#include "store/store.h"

namespace ct {
namespace {

class StoreFactoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ct_store_factory_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  FakeClock clock_;
};

TEST_F(StoreFactoryTest, SqliteUrlCreatesParentDirectories) {
  StoreConfig cfg;
  const auto path = dir_ / "nested" / "deeper" / "complaints.db";
  cfg.database_url = "sqlite:" + path.string();
  auto store = OpenStore(cfg, clock_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->backend(), "sqlite");
  EXPECT_TRUE((*store)->Ping().ok());
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST_F(StoreFactoryTest, UnknownSchemeIsInvalidWithoutEchoingSecrets) {
  StoreConfig cfg;
  cfg.database_url = "mysql://user:hunter2@host/db";
  auto store = OpenStore(cfg, clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(store.status().message().find("mysql"), std::string::npos);
  EXPECT_EQ(store.status().message().find("hunter2"), std::string::npos);
}

TEST_F(StoreFactoryTest, EmptySqlitePathIsInvalid) {
  StoreConfig cfg;
  cfg.database_url = "sqlite:";
  auto store = OpenStore(cfg, clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ct
