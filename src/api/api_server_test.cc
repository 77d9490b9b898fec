// End-to-end over real sockets with the real SQLite store: routing, CORS, metrics, OpenAPI,
// health, errors and the handler-exception path.
#include <atomic>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/api_test_fixture.h"

namespace ct::testing {

std::string ErrorCode(const ClientResponse& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.contains("error")) return "";
  return j["error"].value("code", "");
}
std::string ErrorMessage(const ClientResponse& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.contains("error")) return "";
  return j["error"].value("message", "");
}

namespace {

TEST_F(ApiTest, UnknownRouteIs404AndWrongMethodIs405WithAllow) {
  StartServer();
  auto r = Get("/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorCode(r), "not_found");
  auto m = Fetch(server_->port(), "DELETE", "/posts/1");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.Header("Allow"), "GET, PATCH");
  EXPECT_EQ(ErrorCode(m), "method_not_allowed");
  EXPECT_EQ(Fetch(server_->port(), "POST", "/health").Header("Allow"), "GET");
}

TEST_F(ApiTest, HealthReadyAndIndex) {
  StartServer();
  auto h = Get("/health");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, R"({"status":"ok"})");
  EXPECT_EQ(Get("/ready").status, 200);
  auto index = Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.Header("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(index.body.find("Complaints tracker"), std::string::npos);
}

// The real store, with a switch that makes the database look unreachable.
class SwitchableStore final : public Store {
 public:
  explicit SwitchableStore(Store& inner) : inner_(inner) {}
  std::atomic<bool> down{false};
  std::string_view backend() const override { return inner_.backend(); }
  Status Migrate() override { return inner_.Migrate(); }
  Status Ping() override {
    return down ? Status::Unavailable("connection refused") : inner_.Ping();
  }
  Result<UpsertSummary> UpsertPosts(std::span<const Post> posts) override {
    return inner_.UpsertPosts(posts);
  }
  Result<UpsertSummary> BulkUpsertPosts(const PostBatchSource& next) override {
    return inner_.BulkUpsertPosts(next);
  }
  Result<Post> GetPost(std::int64_t id) override { return inner_.GetPost(id); }
  Result<PostPage> ListPosts(const PostPageRequest& r) override {
    if (down) return Status::Unavailable("connection refused");
    return inner_.ListPosts(r);
  }
  Result<PostStats> Stats(const PostFilter& f, StatsBucket b) override {
    return inner_.Stats(f, b);
  }
  Result<Post> UpdateTriage(std::int64_t id, const TriagePatch& p) override {
    return inner_.UpdateTriage(id, p);
  }
  Result<ApiToken> CreateToken(const ApiToken& t) override { return inner_.CreateToken(t); }
  Result<ApiToken> GetToken(std::int64_t id) override { return inner_.GetToken(id); }
  Result<std::vector<ApiToken>> ListTokens() override { return inner_.ListTokens(); }
  Status RevokeToken(std::int64_t id, UnixSeconds at) override {
    return inner_.RevokeToken(id, at);
  }

 private:
  Store& inner_;
};

TEST_F(ApiTest, ReadyAndReadsAre503WhenTheStoreIsDown) {
  SwitchableStore store(*store_);
  ApiServer server(config_, store, clock_);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(Fetch(server.port(), "GET", "/ready").status, 200);
  store.down = true;
  auto ready = Fetch(server.port(), "GET", "/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ErrorCode(ready), "unavailable");
  EXPECT_NE(ErrorMessage(ready).find("connection refused"), std::string::npos);
  EXPECT_EQ(Fetch(server.port(), "GET", "/posts").status, 503);
  EXPECT_EQ(Fetch(server.port(), "GET", "/health").status, 200);  // liveness does no I/O
}

TEST_F(ApiTest, HandlerExceptionIs500AndTheServerKeepsServing) {
  StartServer([](ApiServer& s) {
    ASSERT_TRUE(s.router()
                    .Add({"GET", "/boom", Access::kPublic, "Throws", "",
                          [](const HttpRequest&, const RequestContext&) -> HttpResponse {
                            throw std::runtime_error("secret internals");
                          }})
                    .ok());
  });
  TestHttpClient client(server_->port());
  auto r = client.Send("GET", "/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(ErrorCode(r), "internal");
  EXPECT_EQ(r.body.find("secret internals"), std::string::npos);
  EXPECT_EQ(client.Send("GET", "/health").status, 200);
}

TEST_F(ApiTest, MetricsCountRequestsPerRouteAndStatus) {
  StartServer();
  Seed(3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Get("/posts?limit=1").status, 200);
  EXPECT_EQ(Get("/posts?limit=0").status, 400);
  EXPECT_EQ(Get("/posts/999999").status, 404);
  EXPECT_EQ(Get("/missing").status, 404);
  auto m = Get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& t = m.body;
  EXPECT_NE(t.find("# TYPE http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(t.find("http_requests_total{route=\"/posts\",method=\"GET\",status=\"200\"} 3\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("http_requests_total{route=\"/posts\",method=\"GET\",status=\"400\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("http_requests_total{route=\"/posts/{id}\",method=\"GET\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("http_requests_total{route=\"unmatched\",method=\"\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("http_request_duration_seconds_count{route=\"/posts\",method=\"GET\"} 4\n"),
            std::string::npos);
  // Every sample line is "name{labels} value" or "name value".
  std::istringstream lines(t);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_NE(line.rfind(' '), std::string::npos) << line;
  }
}

TEST_F(ApiTest, OtherModulesCanAddMetrics) {
  StartServer();
  server_->metrics().AddCounter("jobs_enqueued_total", "Jobs enqueued.").Inc(5);
  EXPECT_NE(Get("/metrics").body.find("jobs_enqueued_total 5\n"), std::string::npos);
}

TEST_F(ApiTest, OpenApiDescribesEveryRegisteredRoute) {
  StartServer([](ApiServer& s) {  // a later module's route must appear too
    ASSERT_TRUE(s.router()
                    .Add({"POST", "/jobs/{id}/retry", Access::kOperator, "Replay a job", "",
                          [](const HttpRequest&, const RequestContext&) { return HttpResponse{}; }})
                    .ok());
  });
  auto r = Get("/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = nlohmann::json::parse(r.body);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  ASSERT_GE(server_->router().routes().size(), 10u);
  for (const auto& route : server_->router().routes()) {
    std::string method = route->method;
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    ASSERT_TRUE(doc["paths"].contains(route->pattern)) << route->pattern;
    ASSERT_TRUE(doc["paths"][route->pattern].contains(method)) << method << " " << route->pattern;
    const auto& op = doc["paths"][route->pattern][method];
    EXPECT_TRUE(op["responses"].contains("default")) << route->pattern;
    EXPECT_FALSE(op.value("summary", "").empty()) << route->pattern;
  }
  const auto& retry = doc["paths"]["/jobs/{id}/retry"]["post"];
  EXPECT_EQ(retry["parameters"][0]["name"], "id");
  EXPECT_EQ(retry["security"][0].begin().key(), "bearer");
  EXPECT_TRUE(doc["components"]["schemas"].contains("Error"));
  EXPECT_TRUE(doc["components"]["securitySchemes"].contains("bearer"));
  // Every $ref resolves.
  std::function<void(const nlohmann::json&)> check = [&](const nlohmann::json& j) {
    if (j.is_object()) {
      for (const auto& [k, v] : j.items()) {
        if (k == "$ref") {
          std::string ref = v.get<std::string>();
          ASSERT_EQ(ref.rfind("#/", 0), 0u);
          EXPECT_NO_THROW(doc.at(nlohmann::json::json_pointer(ref.substr(1)))) << ref;
        } else {
          check(v);
        }
      }
    } else if (j.is_array()) {
      for (const auto& v : j) check(v);
    }
  };
  check(doc);
}

TEST_F(ApiTest, CorsFollowsTheAllowlist) {
  config_.cors_origins = {"https://dash.example.com"};
  StartServer();
  auto allowed = Get("/health", {{"Origin", "https://dash.example.com"}});
  EXPECT_EQ(allowed.Header("Access-Control-Allow-Origin"), "https://dash.example.com");
  EXPECT_EQ(allowed.Header("Vary"), "Origin");
  auto other = Get("/health", {{"Origin", "https://evil.example.com"}});
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.Header("Access-Control-Allow-Origin"), "");

  auto preflight =
      Fetch(server_->port(), "OPTIONS", "/posts/1",
            {{"Origin", "https://dash.example.com"}, {"Access-Control-Request-Method", "PATCH"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.Header("Access-Control-Allow-Origin"), "https://dash.example.com");
  EXPECT_EQ(preflight.Header("Access-Control-Allow-Methods"), "GET, PATCH, OPTIONS");
  EXPECT_NE(preflight.Header("Access-Control-Allow-Headers").find("Authorization"),
            std::string::npos);
  auto refused =
      Fetch(server_->port(), "OPTIONS", "/posts/1",
            {{"Origin", "https://evil.example.com"}, {"Access-Control-Request-Method", "PATCH"}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.Header("Access-Control-Allow-Origin"), "");
}

TEST_F(ApiTest, NoCorsHeadersWithoutAnAllowlist) {
  StartServer();
  auto r = Get("/health", {{"Origin", "https://dash.example.com"}});
  EXPECT_EQ(r.Header("Access-Control-Allow-Origin"), "");
  EXPECT_EQ(r.Header("Vary"), "");
  auto preflight =
      Fetch(server_->port(), "OPTIONS", "/posts",
            {{"Origin", "https://dash.example.com"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(preflight.status, 403);
}

TEST_F(ApiTest, BodyTooLargeIs413AndCountedAsRejected) {
  StartServer();
  auto r = Fetch(server_->port(), "PATCH", "/posts/1", {}, std::string(5000, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(ErrorCode(r), "body_too_large");
  EXPECT_NE(Get("/metrics").body.find("route=\"rejected\",method=\"\",status=\"413\"} 1"),
            std::string::npos);
}

TEST_F(ApiTest, StartFailsOnABusyPortAndStopIsIdempotent) {
  StartServer();
  ServerConfig busy = config_;
  busy.listen = "127.0.0.1:" + std::to_string(server_->port());
  ApiServer second(busy, *store_, clock_);
  Status s = second.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(busy.listen), std::string::npos) << s.message();
  server_->Stop();
  server_->Stop();
}

}  // namespace
}  // namespace ct::testing
