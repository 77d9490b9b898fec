#include "core/config.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

TEST(ConfigTest, DefaultsAreTheEmbeddedOvhcloudProfile) {
  auto c = LoadConfigFromString("", {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c->store.database_url, "sqlite:data/complaints.db");
  EXPECT_EQ(c->company.name, "OVHcloud");
  EXPECT_TRUE(c->server.cors_origins.empty());
  EXPECT_EQ(c->queue.job_timeout_s, 300);
}

TEST(ConfigTest, TheCompanyTaxonomyFileMustBeReadable) {
  EXPECT_EQ(LoadConfigFromString("", {})->company.taxonomy, "") << "the built-in taxonomy";
  const std::string path = CT_SOURCE_DIR "/config/taxonomy.toml";
  auto c = LoadConfigFromString("[company]\ntaxonomy = \"" CT_SOURCE_DIR "/config/taxonomy.toml\"\n", {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->company.taxonomy, path);
  c = LoadConfigFromString("", {{"COMPLAINTS_TAXONOMY", path}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->company.taxonomy, path);
  c = LoadConfigFromString("[company]\ntaxonomy = \"/nonexistent/taxonomy.toml\"\n", {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("company.taxonomy"), std::string::npos) << c.status().ToString();
  EXPECT_NE(c.status().message().find("/nonexistent/taxonomy.toml"), std::string::npos);
}

TEST(ConfigTest, FileThenEnvironment) {
  auto c = LoadConfigFromString(R"(
data_dir = "/var/lib/ct"
[server]
listen = "0.0.0.0:9000"
cors_origins = ["https://care.example.com"]
[queue]
worker_concurrency = 8
)",
                                {{"WORKER_CONCURRENCY", "3"}, {"DATABASE_URL", "postgresql://x/y"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->data_dir, "/var/lib/ct");
  EXPECT_EQ(c->server.listen, "0.0.0.0:9000");
  EXPECT_EQ(c->server.cors_origins, std::vector<std::string>{"https://care.example.com"});
  EXPECT_EQ(c->queue.worker_concurrency, 3);
  EXPECT_EQ(c->store.database_url, "postgresql://x/y");
}

TEST(ConfigTest, JobMemoryLimitFromFileThenEnvironment) {
  EXPECT_EQ(LoadConfigFromString("", {})->queue.job_memory_limit_mb, 0) << "no limit by default";
  auto c = LoadConfigFromString("[queue]\njob_memory_limit_mb = 1024\n", {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->queue.job_memory_limit_mb, 1024);
  c = LoadConfigFromString("[queue]\njob_memory_limit_mb = 1024\n", {{"JOB_MEMORY_LIMIT_MB", "256"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->queue.job_memory_limit_mb, 256);
}

TEST(ConfigTest, UnknownKeysAreNamed) {
  auto a = LoadConfigFromString("[server]\nlisten_addr = \"x\"\n", {}, "c.toml");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("server.listen_addr"), std::string::npos);
  auto b = LoadConfigFromString("colour = 1\n", {});
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("colour"), std::string::npos);
}

TEST(ConfigTest, InvalidValuesAreNamed) {
  struct Case {
    std::string toml;
    Environment env;
    std::string expect;
  };
  const Case cases[] = {
      {"[server]\nthreads = \"four\"\n", {}, "server.threads"},
      {"[server]\nlisten = \"nohost\"\n", {}, "server.listen"},
      {"", {{"WORKER_CONCURRENCY", "lots"}}, "WORKER_CONCURRENCY"},
      {"", {{"WORKER_CONCURRENCY", "0"}}, "WORKER_CONCURRENCY"},
      {"", {{"JOB_TIMEOUT", "0"}}, "JOB_TIMEOUT"},
      {"", {{"JOB_MEMORY_LIMIT_MB", "lots"}}, "JOB_MEMORY_LIMIT_MB"},
      {"", {{"JOB_MEMORY_LIMIT_MB", "-1"}}, "queue.job_memory_limit_mb"},
      {"[queue]\njob_memory_limit_mb = 8\n", {}, "queue.job_memory_limit_mb"},
      {"[queue]\njob_memory_limit_mb = \"1g\"\n", {}, "queue.job_memory_limit_mb"},
      {"", {{"DATABASE_URL", "mysql://x"}}, "DATABASE_URL"},
      {"", {{"REDIS_URL", "http://x"}}, "REDIS_URL"},
      {"[log]\nformat = \"xml\"\n", {}, "log.format"},
      {"[server]\ncors_origins = [\"example.com\"]\n", {}, "cors_origins"},
      {"[server\n", {}, "config:"},
  };
  for (const auto& c : cases) {
    auto r = LoadConfigFromString(c.toml, c.env);
    ASSERT_FALSE(r.ok()) << c.toml;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().ToString();
  }
}

TEST(ConfigTest, SchedulesOverrideDefaultsByNameAndAddNew) {
  auto c = LoadConfigFromString(R"(
[schedules.backup]
cron = "CRON_TZ=Europe/Paris 0 2 * * *"
[schedules.auto_scrape]
enabled = false
[schedules.reddit_hourly]
cron = "@hourly"
type = "scrape"
payload = '{"source":"reddit"}'
)",
                                {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->schedules.size(), 4u);
  EXPECT_EQ(c->schedules[0].name, "auto_scrape");
  EXPECT_FALSE(c->schedules[0].enabled);
  EXPECT_EQ(c->schedules[1].cron, "CRON_TZ=Europe/Paris 0 2 * * *");
  EXPECT_EQ(c->schedules[1].job_type, "backup");
  EXPECT_EQ(c->schedules[3].payload_json, R"({"source":"reddit"})");

  auto missing = LoadConfigFromString("[schedules.x]\ncron = \"@daily\"\n", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("schedules.x.type"), std::string::npos);
  auto unknown = LoadConfigFromString("[schedules.backup]\nwhen = 1\n", {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("schedules.backup.when"), std::string::npos);
}

TEST(ConfigTest, MissingFileIsAnError) {
  auto r = LoadConfig("/nonexistent/complaints.toml", {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/complaints.toml"), std::string::npos);
}

}  // namespace
}  // namespace ct
