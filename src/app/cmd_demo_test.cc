// `complaints demo` as a newcomer runs it: the real binary starts the replay server and
// `serve`; the workers' scrapes fill the store, seen through GET /posts and GET /sources.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include <gtest/gtest.h>

#include "fetch/http_client.h"
#include "jobs/process_group.h"

namespace ct {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

TEST(DemoTest, ScrapesFillTheStoreWithinAMinute) {
  ASSERT_TRUE(BecomeChildSubreaper().ok());
  const fs::path dir = fs::temp_directory_path() / ("ct_demo_test_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const std::string listen = "127.0.0.1:" + std::to_string(FreePort());
  SpawnOptions so;
  so.argv = {CT_BINARY_DIR "/complaints", "--log-level", "warn", "demo", "--listen", listen,
             "--data-dir", dir.string(), "--fixtures", CT_SOURCE_DIR "/tests/fixtures/sources"};
  so.capture_stdout = true;
  so.capture_stderr = true;
  auto demo = ProcessGroup::Spawn(so);
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();

  HttpClientOptions o;
  o.guard = SsrfGuard::FromStrings({"127.0.0.1/32"}).value();
  o.timeout_ms = 5000;
  auto client = MakeCurlHttpClient(o);
  auto get = [&](const std::string& path) -> json {
    HttpRequest r;
    r.url = "http://" + listen + path;
    auto res = client->Send(r);
    if (!res.ok() || res->status != 200) return nullptr;
    return json::parse(res->body, nullptr, false);
  };
  std::vector<std::string> out;
  json posts;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(90)) {
    for (auto& line : (*demo)->ReadLines(200)) out.push_back(line);  // also paces the polling
    ASSERT_FALSE((*demo)->TryWait().has_value()) << "demo ended early: " << (*demo)->stderr_tail();
    posts = get("/posts?limit=200");
    if (posts.is_object() && posts.contains("items") && posts["items"].size() >= 20) break;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(posts.is_object() && posts["items"].size() >= 20)
      << "no posts after 90 s; demo stderr:\n" << (*demo)->stderr_tail();
  std::printf("demo: %zu posts via GET /posts after %.1f s\n", posts["items"].size(), seconds);
  std::set<std::string> sources;
  for (const json& p : posts["items"]) sources.insert(p["source"].get<std::string>());
  EXPECT_GE(sources.size(), 5u);

  const json s = get("/sources");
  ASSERT_TRUE(s.is_object());
  bool hn_counted = false;
  for (const json& src : s["sources"])
    if (src["name"] == "hackernews") hn_counted = src["posts"].get<int>() > 0;
  EXPECT_TRUE(hn_counted) << s.dump();

  const ExitInfo exit = (*demo)->Terminate(std::chrono::seconds(40));
  EXPECT_TRUE(exit.success()) << exit.ToString() << "\n" << (*demo)->stderr_tail();
  bool banner = false;
  for (const auto& line : out) banner = banner || line.find("complaints demo") != std::string::npos;
  EXPECT_TRUE(banner);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ct
