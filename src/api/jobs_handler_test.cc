#include "api/jobs_handler.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "api/api_test_fixture.h"
#include "queue/job_queue.h"
#include "queue/sql/sql_job_queue.h"

namespace ct::testing {
namespace {

using nlohmann::json;

std::string Message(const ClientResponse& r) {
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.contains("error")) return "";
  return j["error"].value("message", "");
}

class JobsApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    auto q = OpenSqlJobQueue("sqlite:" + (dir_ / "api.db").string(), QueueSqlOptions{}, clock_);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    queue_ = std::move(q).value();
    deps_ = std::make_unique<JobRoutesDeps>(JobRoutesDeps{
        *queue_,
        [](std::string_view type, std::string_view payload) {
          static const std::set<std::string, std::less<>> kTypes = {
              "scrape", "scrape_all", "auto_scrape", "backup", "test.noop"};
          if (!kTypes.count(type))
            return Status::InvalidArgument("unknown job type '" + std::string(type) + "'");
          if (type == "scrape" && payload.find("\"source\"") == std::string_view::npos)
            return Status::InvalidArgument("payload.source is required");
          return Status::Ok();
        },
        "", 20});
    StartServer([this](ApiServer& s) {
      ASSERT_TRUE(RegisterJobRoutes(s.router(), s.context(), *deps_).ok());
    });
    op_ = {{"Authorization", "Bearer " + Issue(Role::kOperator, "op")},
           {"Content-Type", "application/json"}};
  }
  void TearDown() override {
    server_.reset();
    queue_.reset();
    ApiTest::TearDown();
  }
  ClientResponse Post(const std::string& target, const std::string& body,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Fetch(server_->port(), "POST", target, headers.empty() ? op_ : headers, body);
  }
  ClientResponse Delete(const std::string& target) {
    return Fetch(server_->port(), "DELETE", target, op_);
  }

  std::unique_ptr<JobQueue> queue_;
  std::unique_ptr<JobRoutesDeps> deps_;
  std::vector<std::pair<std::string, std::string>> op_;
};

TEST_F(JobsApiTest, EnqueueNeedsAnOperatorToken) {
  const std::string body = R"({"type":"test.noop"})";
  EXPECT_EQ(Post("/jobs", body, {{"Content-Type", "application/json"}}).status, 401);
  const std::string viewer = Issue(Role::kViewer, "v");
  EXPECT_EQ(Post("/jobs", body, {{"Authorization", "Bearer " + viewer}}).status, 403);
  auto r = Post("/jobs", body);
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["state"], "queued");
  EXPECT_EQ(j["type"], "test.noop");
  EXPECT_EQ(j["id"].get<std::string>().size(), 26u);
}

TEST_F(JobsApiTest, BadInputIsNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"type":"nope"})", "unknown job type 'nope'"},
      {R"({"payload":{}})", "'type' is required"},
      {R"({"type":"test.noop","payload":[1]})", "'payload' must be a JSON object"},
      {R"({"type":"test.noop","priority":11})", "'priority'"},
      {R"({"type":"test.noop","run_at":"soon"})", "'run_at'"},
      {R"({"type":"test.noop","colour":1})", "unknown field 'colour'"},
      {R"({"type":)", "not valid JSON"},
  };
  for (const auto& [body, want] : cases) {
    auto r = Post("/jobs", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_NE(Message(r).find(want), std::string::npos) << body << " -> " << r.body;
  }
  auto s = Post("/jobs/scrape", R"({"query":"x"})");
  EXPECT_EQ(s.status, 400);
  EXPECT_NE(Message(s).find("'source' is required"), std::string::npos) << s.body;
  EXPECT_EQ(Get("/jobs/01HZZZZZZZZZZZZZZZZZZZZZZZ").status, 404);
  EXPECT_EQ(Get("/jobs?state=done").status, 400);
  EXPECT_EQ(Get("/jobs?limit=0").status, 400);
  EXPECT_EQ(Get("/jobs?colour=red").status, 400);
}

TEST_F(JobsApiTest, ScrapeIsUniquePerSourceAndQuery) {
  auto a = Post("/jobs/scrape", R"({"source":"reddit","query":"ovh"})");
  ASSERT_EQ(a.status, 201) << a.body;
  auto b = Post("/jobs/scrape", R"({"source":"reddit","query":"ovh"})");
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_TRUE(json::parse(b.body)["duplicate"].get<bool>());
  EXPECT_EQ(json::parse(a.body)["id"], json::parse(b.body)["id"]);
  EXPECT_EQ(Post("/jobs/scrape", R"({"source":"reddit","query":"kimsufi"})").status, 201);
  auto payload = json::parse(a.body)["payload"];
  EXPECT_EQ(payload["source"], "reddit");
  EXPECT_EQ(payload["query"], "ovh");
  EXPECT_EQ(Post("/jobs/backup", "").status, 201);
  EXPECT_EQ(Post("/jobs/scrape-all", R"({"sources":["reddit"]})").status, 201);
  EXPECT_EQ(Post("/jobs/scrape-all", R"({"sources":"reddit"})").status, 400);
}

TEST_F(JobsApiTest, CancelRetryAndEvents) {
  const std::string id = json::parse(Post("/jobs", R"({"type":"test.noop"})").body)["id"];
  auto c = Delete("/jobs/" + id);
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(json::parse(c.body)["state"], "cancelled");
  EXPECT_EQ(Delete("/jobs/" + id).status, 200) << "idempotent";
  auto r = Post("/jobs/" + id + "/retry", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["state"], "queued");

  // A finished job cannot be cancelled.
  const std::string types[] = {"test.noop"};
  auto leases = queue_->Claim("w1", 1, types, 30'000);
  ASSERT_TRUE(leases.ok() && leases->size() == 1);
  ASSERT_TRUE(queue_->Complete((*leases)[0], R"({"ok":true})").ok());
  auto finished = Delete("/jobs/" + id);
  EXPECT_EQ(finished.status, 409) << finished.body;

  auto detail = json::parse(Get("/jobs/" + id).body);
  EXPECT_EQ(detail["state"], "succeeded");
  EXPECT_EQ(detail["result"]["ok"], true);
  std::vector<std::string> kinds;
  for (const auto& e : detail["events"]) kinds.push_back(e["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"enqueued", "cancelled", "replayed", "claimed",
                                             "succeeded"}));
}

TEST_F(JobsApiTest, ListPagesThroughEveryJob) {
  std::set<std::string> created;
  for (int i = 0; i < 7; ++i)
    created.insert(json::parse(Post("/jobs", R"({"type":"test.noop"})").body)["id"]);
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto r = Get("/jobs?state=queued&limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = json::parse(r.body);
    for (const auto& item : j["items"]) seen.insert(item["id"]);
    cursor = j["next_cursor"].is_null() ? "" : j["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(seen, created);
  EXPECT_EQ(pages, 3);
}

TEST_F(JobsApiTest, StatusAndMetrics) {
  Post("/jobs", R"({"type":"test.noop"})");
  Post("/jobs", R"({"type":"test.noop"})");
  auto s = Get("/jobs/status");
  ASSERT_EQ(s.status, 200) << s.body;
  auto j = json::parse(s.body);
  EXPECT_EQ(j["backend"], "sqlite");
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["counts"]["queued"], 2);
  EXPECT_EQ(j["counts"]["dead"], 0);
  auto m = Get("/metrics");
  EXPECT_NE(m.body.find("complaints_jobs{state=\"queued\"} 2"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("complaints_queue_degraded 0"), std::string::npos);
}

// Reads from a raw socket until `needle` appears or the deadline passes.
std::string ReadUntil(int fd, const std::string& needle, int timeout_ms) {
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (got.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

TEST_F(JobsApiTest, StreamSendsEventsAsTheyHappen) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string req = "GET /jobs/stream HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  const std::string head = ReadUntil(fd, ": connected", 5000);
  ASSERT_NE(head.find("text/event-stream"), std::string::npos) << head;
  const std::string id = json::parse(Post("/jobs", R"({"type":"test.noop"})").body)["id"];
  const std::string events = ReadUntil(fd, "\"kind\":\"enqueued\"", 5000);
  EXPECT_NE(events.find("event: job"), std::string::npos) << events;
  EXPECT_NE(events.find(id), std::string::npos) << events;
  close(fd);
}

}  // namespace
}  // namespace ct::testing
