#include "api/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include "api/api_errors.h"
#include "api/test_http_client.h"

namespace ct {
namespace {

using testing::Fetch;
using testing::TestHttpClient;

ServerConfig TestConfig() {
  ServerConfig c;
  c.listen = "127.0.0.1:0";
  c.threads = 2;
  c.max_body_bytes = 1024;
  c.max_header_bytes = 2048;
  c.request_timeout_ms = 5'000;
  c.idle_timeout_ms = 5'000;
  return c;
}

HttpResponse Echo(HttpRequest& req) {
  HttpResponse r;
  r.body = req.method + " " + req.path;
  for (const auto& [k, v] : req.query) r.body += "|" + k + "=" + v;
  r.body += "|ua=" + std::string(req.headers.Get("user-agent").value_or("-"));
  r.body += "|body=" + req.body;
  r.headers.Set("X-Remote", req.remote_address);
  return r;
}

TEST(HttpServerTest, DecodesRequestAndAnswers) {
  HttpServer server(TestConfig(), Echo);
  ASSERT_TRUE(server.Start().ok());
  ASSERT_GT(server.port(), 0);
  auto r =
      Fetch(server.port(), "GET", "/a%20b?x=1&y=caf%C3%A9+au+lait&x=2", {{"User-Agent", "t/1"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /a b|x=1|x=2|y=café au lait|ua=t/1|body=");
  auto p = Fetch(server.port(), "POST", "/p", {}, "hello");
  EXPECT_EQ(p.body, "POST /p|ua=-|body=hello");
}

TEST(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  HttpServer server(TestConfig(), Echo);
  ASSERT_TRUE(server.Start().ok());
  TestHttpClient client(server.port());
  std::string remote;
  for (int i = 0; i < 5; ++i) {
    auto r = client.Send("GET", "/k?i=" + std::to_string(i));
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(r.keep_alive);
    EXPECT_EQ(r.body, "GET /k|i=" + std::to_string(i) + "|ua=-|body=");
    if (i == 0) remote = r.Header("X-Remote");
    EXPECT_EQ(r.Header("X-Remote"), remote);  // same client port: same connection
  }
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  HttpServer server(TestConfig(), Echo);
  ASSERT_TRUE(server.Start().ok());
  TestHttpClient client(server.port());
  client.Write("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.Read().body, "GET /one|ua=-|body=");
  EXPECT_EQ(client.Read().body, "GET /two|ua=-|body=");
}

TEST(HttpServerTest, OversizedBodyIs413AndNeverReachesTheHandler) {
  std::atomic<int> calls{0};
  std::atomic<int> rejected{0};
  HttpServer server(
      TestConfig(),
      [&](HttpRequest& req) {
        ++calls;
        return Echo(req);
      },
      [&](int status) { rejected = status; });
  ASSERT_TRUE(server.Start().ok());
  TestHttpClient client(server.port());
  auto r = client.Send("POST", "/p", {}, std::string(1025, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_NE(r.body.find("\"code\":\"body_too_large\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("1024"), std::string::npos);
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(client.WaitClosed());
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(rejected.load(), 413);
  // A body at the limit is fine.
  EXPECT_EQ(Fetch(server.port(), "POST", "/p", {}, std::string(1024, 'x')).status, 200);
}

TEST(HttpServerTest, DeclaredOversizedBodyIs413BeforeItIsSent) {
  HttpServer server(TestConfig(), Echo);
  ASSERT_TRUE(server.Start().ok());
  TestHttpClient client(server.port());
  auto r = client.SendRaw("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n");
  EXPECT_EQ(r.status, 413);
}

TEST(HttpServerTest, OversizedHeaderIs431) {
  HttpServer server(TestConfig(), Echo);
  ASSERT_TRUE(server.Start().ok());
  TestHttpClient client(server.port());
  auto r = client.Send("GET", "/h", {{"X-Big", std::string(3000, 'a')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_NE(r.body.find("\"code\":\"header_too_large\""), std::string::npos) << r.body;
  EXPECT_TRUE(client.WaitClosed());
}

TEST(HttpServerTest, MalformedRequestsAre400) {
  HttpServer server(TestConfig(), Echo);
  ASSERT_TRUE(server.Start().ok());
  auto bad_escape = Fetch(server.port(), "GET", "/q?x=%zz");
  EXPECT_EQ(bad_escape.status, 400);
  EXPECT_NE(bad_escape.body.find("malformed percent escape"), std::string::npos);
  TestHttpClient client(server.port());
  auto garbage = client.SendRaw("GET / HTTP/1.1\r\nHost x\r\n\r\n");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_NE(garbage.body.find("\"error\""), std::string::npos);
}

TEST(HttpServerTest, HandlerExceptionIs500AndServerKeepsRunning) {
  HttpServer server(TestConfig(), [](HttpRequest& req) -> HttpResponse {
    if (req.path == "/boom") throw std::runtime_error("kaboom");
    return Echo(req);
  });
  ASSERT_TRUE(server.Start().ok());
  TestHttpClient client(server.port());
  auto r = client.Send("GET", "/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("\"code\":\"internal\""), std::string::npos);
  EXPECT_EQ(r.body.find("kaboom"), std::string::npos);  // internals stay in the log
  EXPECT_EQ(client.Send("GET", "/fine").status, 200);
}

TEST(HttpServerTest, StreamsChunkedBodies) {
  HttpServer server(TestConfig(), [](HttpRequest&) {
    HttpResponse r;
    r.headers.Set("Content-Type", "text/plain");
    auto n = std::make_shared<int>(0);
    r.producer = [n](std::string& chunk) -> Result<bool> {
      chunk = "line " + std::to_string(*n) + "\n";
      return ++*n < 1000;
    };
    return r;
  });
  ASSERT_TRUE(server.Start().ok());
  TestHttpClient client(server.port());
  auto r = client.Send("GET", "/stream");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.chunked);
  EXPECT_EQ(r.Header("Content-Type"), "text/plain");
  std::string expected;
  for (int i = 0; i < 1000; ++i) expected += "line " + std::to_string(i) + "\n";
  EXPECT_EQ(r.body, expected);
  EXPECT_TRUE(client.WaitClosed());
}

TEST(HttpServerTest, FailedStreamIsTruncatedNotCompleted) {
  HttpServer server(TestConfig(), [](HttpRequest&) {
    HttpResponse r;
    auto n = std::make_shared<int>(0);
    r.producer = [n](std::string& chunk) -> Result<bool> {
      if (++*n > 3) return Status::Unavailable("store went away");
      chunk = "part";
      return true;
    };
    return r;
  });
  ASSERT_TRUE(server.Start().ok());
  TestHttpClient client(server.port());
  EXPECT_THROW(client.Send("GET", "/stream"), std::runtime_error);  // no final chunk
}

TEST(HttpServerTest, SlowStreamDoesNotBlockOtherRequests) {
  ServerConfig config = TestConfig();
  config.threads = 1;  // one I/O thread: if the stream held it, /other could not be served
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> streaming;
  HttpServer server(config, [released, &streaming](HttpRequest& req) {
    if (req.path != "/stream") return Echo(req);
    HttpResponse r;
    auto first = std::make_shared<bool>(true);
    r.producer = [released, first, &streaming](std::string& chunk) -> Result<bool> {
      if (*first) {
        *first = false;
        streaming.set_value();
        released.wait();
      }
      chunk = "done";
      return false;
    };
    return r;
  });
  ASSERT_TRUE(server.Start().ok());
  auto streamed =
      std::async(std::launch::async, [&] { return Fetch(server.port(), "GET", "/stream"); });
  streaming.get_future().wait();  // the stream is now parked inside its producer
  EXPECT_EQ(Fetch(server.port(), "GET", "/other").status, 200);
  release.set_value();
  EXPECT_EQ(streamed.get().body, "done");
}

TEST(HttpServerTest, IdleConnectionIsClosedAfterIdleTimeout) {
  ServerConfig config = TestConfig();
  config.idle_timeout_ms = 200;
  HttpServer server(config, Echo);
  ASSERT_TRUE(server.Start().ok());
  TestHttpClient client(server.port(), 5'000);
  EXPECT_EQ(client.Send("GET", "/x").status, 200);
  EXPECT_TRUE(client.WaitClosed());
}

TEST(HttpServerTest, IncompleteRequestIsCutAtTheRequestDeadline) {
  ServerConfig config = TestConfig();
  config.request_timeout_ms = 200;
  HttpServer server(config, Echo);
  ASSERT_TRUE(server.Start().ok());
  TestHttpClient client(server.port(), 5'000);
  client.Write("GET /slow HTTP/1.1\r\nHost: x\r\n");  // never finishes the header
  EXPECT_TRUE(client.WaitClosed());
}

TEST(HttpServerTest, BindFailureNamesTheAddress) {
  HttpServer first(TestConfig(), Echo);
  ASSERT_TRUE(first.Start().ok());
  ServerConfig config = TestConfig();
  config.listen = "127.0.0.1:" + std::to_string(first.port());
  HttpServer second(config, Echo);
  Status s = second.Start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find(config.listen), std::string::npos) << s.message();
  second.Stop();  // never started: a no-op

  config.listen = "nonsense";
  EXPECT_EQ(HttpServer(config, Echo).Start().code(), StatusCode::kInvalidArgument);
}

TEST(HttpServerTest, StopFinishesInFlightClosesIdleAndIsIdempotent) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  HttpServer server(TestConfig(), [&, released](HttpRequest& req) {
    if (req.path == "/slow") {
      entered.set_value();
      released.wait();
    }
    return Echo(req);
  });
  ASSERT_TRUE(server.Start().ok());
  TestHttpClient idle(server.port());
  ASSERT_EQ(idle.Send("GET", "/x").status, 200);

  auto slow = std::async(std::launch::async, [&] {
    TestHttpClient c(server.port());
    auto r = c.Send("GET", "/slow");
    return std::make_pair(r, c.WaitClosed());
  });
  entered.get_future().wait();
  auto stopper = std::async(std::launch::async, [&] { server.Stop(); });
  EXPECT_TRUE(idle.WaitClosed());  // idle keep-alive connection closed by Stop
  release.set_value();
  auto [response, closed] = slow.get();
  EXPECT_EQ(response.status, 200);  // in-flight request completed
  EXPECT_FALSE(response.keep_alive);
  EXPECT_TRUE(closed);
  stopper.get();
  server.Stop();
  EXPECT_THROW(TestHttpClient(server.port()).Send("GET", "/x"), std::exception);
}

}  // namespace
}  // namespace ct
