// [fetch] and [sources.NAME] in the config (core/config.h), tested here beside their users.
#include <gtest/gtest.h>

#include "core/config.h"

namespace ct {
namespace {

const SourceConfig* Find(const AppConfig& c, const std::string& name) {
  for (const auto& s : c.sources)
    if (s.name == name) return &s;
  return nullptr;
}

TEST(SourceConfigTest, DefaultsCoverTheOvhcloudProfile) {
  auto c = LoadConfigFromString("", {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_NE(Find(*c, "ovh_community"), nullptr);
  EXPECT_EQ(Find(*c, "ovh_community")->kind, "discourse");
  EXPECT_EQ(Find(*c, "github")->token_env, "GITHUB_TOKEN");
  EXPECT_FALSE(Find(*c, "nitter")->enabled);
  EXPECT_FALSE(Find(*c, "g2")->enabled);
  EXPECT_EQ(c->fetch.max_redirects, 5);
  EXPECT_EQ(c->fetch.max_body_bytes, 10 << 20);
}

TEST(SourceConfigTest, OverridesAndAddsSources) {
  auto c = LoadConfigFromString(R"toml(
[fetch]
user_agent = "acme-monitor/2.0 (+ops@acme.example)"
allow_networks = ["127.0.0.1/32"]
timeout_ms = 5000

[sources.hackernews]
queries = ["ovh outage"]
requests_per_minute = 12
base_url = "http://127.0.0.1:9999"

[sources.hosting_forum]
kind = "html"
base_url = "https://forum.example.fr/search?q={query}"
queries = ["ovh"]
[sources.hosting_forum.selectors]
item = "//article"
title = ".//h2"
)toml",
                                {{"COMPLAINTS_PROXY", "http://proxy:3128"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->fetch.user_agent, "acme-monitor/2.0 (+ops@acme.example)");
  EXPECT_EQ(c->fetch.allow_networks, std::vector<std::string>{"127.0.0.1/32"});
  EXPECT_EQ(c->fetch.proxy, "http://proxy:3128");
  const SourceConfig* hn = Find(*c, "hackernews");
  EXPECT_EQ(hn->queries, std::vector<std::string>{"ovh outage"});
  EXPECT_EQ(hn->requests_per_minute, 12);
  EXPECT_EQ(hn->kind, "hackernews");  // kept from the default
  const SourceConfig* forum = Find(*c, "hosting_forum");
  ASSERT_NE(forum, nullptr);
  EXPECT_EQ(forum->selectors.at("item"), "//article");
}

TEST(SourceConfigTest, ErrorsNameTheKey) {
  auto msg = [](const std::string& toml) {
    auto c = LoadConfigFromString(toml, {});
    return c.ok() ? std::string("ok") : c.status().message();
  };
  EXPECT_NE(msg("[sources.hackernews]\nquerys = [\"x\"]\n").find("unknown config key 'sources.hackernews.querys'"),
            std::string::npos);
  EXPECT_NE(msg("[sources.x]\nkind = \"myspace\"\n").find("sources.x.kind must be one of"), std::string::npos);
  EXPECT_NE(msg("[sources.x]\nkind = \"discourse\"\n").find("sources.x.base_url is required"), std::string::npos);
  EXPECT_NE(msg("[sources.x]\nkind = \"html\"\nbase_url = \"https://a.example\"\n").find("selectors.item is required"),
            std::string::npos);
  EXPECT_NE(msg("[sources.x]\nkind = \"html\"\nbase_url = \"https://a.example\"\n[sources.x.selectors]\nitem = \"//a\"\ncolour = \"red\"\n")
                .find("sources.x.selectors.colour"),
            std::string::npos);
  EXPECT_NE(msg("[sources.reddit]\nrequests_per_minute = 0\n").find("requests_per_minute must be > 0"), std::string::npos);
  EXPECT_NE(msg("[fetch]\nmax_redirects = 9\n").find("fetch.max_redirects must be 0..5"), std::string::npos);
  EXPECT_NE(msg("[fetch]\nallow_networks = [\"localhost\"]\n").find("is not a CIDR"), std::string::npos);
  EXPECT_NE(msg("[fetch]\nproxyy = \"x\"\n").find("unknown config key 'fetch.proxyy'"), std::string::npos);
}

}  // namespace
}  // namespace ct
