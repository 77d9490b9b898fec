// `complaints scheduler --list` as an operator runs it: [schedules.*] and each enabled source's
// own schedule (source:NAME -> scrape), and a bad source cron refused naming the source.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "jobs/process_group.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  ExitInfo exit;
  std::string out;
  std::string err;
};

CliRun SchedulerList(const std::string& toml) {
  const fs::path config =
      fs::temp_directory_path() / ("ct_scheduler_list_" + std::to_string(getpid()) + ".toml");
  std::ofstream(config) << toml;
  SpawnOptions o;
  o.argv = {CT_BINARY_DIR "/complaints", "--config", config.string(), "scheduler", "--list"};
  auto g = ProcessGroup::Spawn(o);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  CliRun r;
  while (!(*g)->stdout_closed()) {
    for (const std::string& line : (*g)->ReadLines(1000)) r.out += line + "\n";
  }
  r.exit = (*g)->Wait();
  r.err = (*g)->stderr_tail();
  fs::remove(config);
  return r;
}

TEST(SchedulerListTest, ShowsSourceSchedules) {
  const CliRun r = SchedulerList(R"(
[sources.trustpilot]
schedule = "*/30 * * * *"
[sources.reddit]
schedule = "CRON_TZ=Europe/Paris 0 9 * * *"
[sources.nitter]
enabled = false
schedule = "@hourly"
)");
  ASSERT_TRUE(r.exit.success()) << r.exit.ToString() << r.err;
  EXPECT_NE(r.out.find("auto_scrape"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("source:trustpilot"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("*/30 * * * *"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("source:reddit"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("source:nitter"), std::string::npos) << "disabled: not scheduled\n" << r.out;
  for (const char* name : {"source:trustpilot", "source:reddit"}) {
    const std::size_t at = r.out.find(name);
    const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
    EXPECT_NE(line.find(" scrape "), std::string::npos) << line;
    EXPECT_NE(line.find("next 20"), std::string::npos) << line;
  }
}

TEST(SchedulerListTest, BadSourceCronIsNamed) {
  const CliRun r = SchedulerList("[sources.trustpilot]\nschedule = \"*/30 * 32 * *\"\n");
  EXPECT_EQ(r.exit.exit_code, 2) << r.exit.ToString();
  EXPECT_NE(r.err.find("source:trustpilot"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("day-of-month"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ct
