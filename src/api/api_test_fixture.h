// Test fixture: a real SQLite store in a temporary directory and a real ApiServer on an ephemeral
// port, with helpers for seeding posts and issuing tokens. For the API tests only.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "api/api_server.h"
#include "api/auth.h"
#include "api/test_http_client.h"
#include "core/clock.h"
#include "core/config.h"
#include "store/store.h"

namespace ct::testing {

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ct_api_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    StoreConfig sc;
    sc.database_url = "sqlite:" + (dir_ / "api.db").string();
    auto store = OpenStore(sc, clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    config_.listen = "127.0.0.1:0";
    config_.threads = 2;
    config_.max_body_bytes = 4096;
  }

  // Builds and starts the server; `before_start` may register extra routes.
  void StartServer(std::function<void(ApiServer&)> before_start = {}) {
    server_ = std::make_unique<ApiServer>(config_, *store_, clock_);
    if (before_start) before_start(*server_);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void TearDown() override {
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  ClientResponse Get(const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Fetch(server_->port(), "GET", target, headers);
  }

  std::string Issue(Role role, const std::string& name) {
    auto issued = IssueToken(*store_, clock_, name, role);
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    return issued.ok() ? issued->wire : "";
  }

  static Post MakePost(int i) {
    Post p;
    p.source = i % 2 ? "reddit" : "trustpilot";
    p.external_id = "ext-" + std::to_string(i);
    p.url = "https://example.com/p/" + std::to_string(i);
    p.title = "Post " + std::to_string(i);
    p.content = "content number " + std::to_string(i);
    p.author = "author" + std::to_string(i % 7);
    p.created_at = 1'700'000'000 + i * 3600;
    p.collected_at = 1'700'000'000 + i * 3600 + 60;
    p.language = i % 3 ? "en" : "fr";
    p.sentiment_label = i % 4 == 0 ? "negative" : "neutral";
    p.sentiment_score = i % 4 == 0 ? -0.5 : 0;
    p.is_complaint = i % 4 == 0;
    p.complaint_score = i % 4 == 0 ? 0.8 : 0.1;
    p.country = i % 5 ? "FR" : "DE";
    p.relevance_score = (i % 10) / 10.0;
    return p;
  }

  void Seed(int n) {
    std::vector<Post> posts;
    for (int i = 0; i < n; ++i) posts.push_back(MakePost(i));
    auto s = store_->UpsertPosts(posts);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_EQ(s->inserted, n);
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  ServerConfig config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ApiServer> server_;
};

// The "code" of an error body, or "" when the body is not an error.
std::string ErrorCode(const ClientResponse& r);
std::string ErrorMessage(const ClientResponse& r);

}  // namespace ct::testing
