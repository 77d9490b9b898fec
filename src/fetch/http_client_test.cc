#include "fetch/http_client.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>

#include "fetch/testing/local_http_server.h"

namespace ct {
namespace {

using testing::LocalHttpServer;
using testing::ServerReply;
using testing::ServerRequest;

std::string Gzip(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

HttpClientOptions LoopbackOptions() {
  HttpClientOptions o;
  o.guard = SsrfGuard::FromStrings({"127.0.0.1/32"}).value();
  o.timeout_ms = 5'000;
  o.user_agent = "complaints-tracker-test/1.0 (+ops@example.org)";
  return o;
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<LocalHttpServer>([this](const ServerRequest& r) { return Route(r); });
    ASSERT_TRUE(server_->Start().ok());
  }

  ServerReply Route(const ServerRequest& r) {
    last_user_agent_ = r.Header("user-agent");
    last_target_ = r.target;
    if (r.path == "/ok") return {.status = 200, .headers = {{"ETag", "\"v1\""}}, .body = "bonjour"};
    if (r.path == "/gzip") {
      if (r.Header("accept-encoding").find("gzip") == std::string::npos) return {.status = 400};
      return {.headers = {{"Content-Encoding", "gzip"}}, .body = Gzip(std::string(5000, 'a'))};
    }
    if (r.path == "/big") return {.body = std::string(4096, 'x')};
    if (r.path == "/bomb")
      return {.headers = {{"Content-Encoding", "gzip"}}, .body = Gzip(std::string(1 << 20, 'a'))};
    if (r.path == "/slow") return {.body = "late", .delay_ms = 3'000};
    if (r.path == "/truncated") return {.body = std::string(1000, 'y'), .truncate_at = 100};
    if (r.path == "/drop") return {.drop = true};
    if (r.path == "/to-metadata")
      return {.status = 302, .headers = {{"Location", "http://169.254.169.254/latest/meta-data/"}}};
    if (r.path == "/to-private")
      return {.status = 301, .headers = {{"Location", "http://10.0.0.7:8080/admin"}}};
    if (r.path.rfind("/hop/", 0) == 0) {
      int n = std::stoi(r.path.substr(5));
      if (n == 0) return {.body = "arrived"};
      return {.status = 302, .headers = {{"Location", "/hop/" + std::to_string(n - 1)}}};
    }
    if (r.target.rfind("http://", 0) == 0) return {.body = "via proxy"};  // absolute-form
    return {.status = 404};
  }

  std::unique_ptr<LocalHttpServer> server_;
  std::string last_user_agent_;
  std::string last_target_;
};

TEST_F(HttpClientTest, FetchesWithUserAgentAndHeaders) {
  auto client = MakeCurlHttpClient(LoopbackOptions());
  auto r = client->Send({.url = server_->Url("/ok")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "bonjour");
  EXPECT_EQ(r->Header("etag").value_or(""), "\"v1\"");
  EXPECT_EQ(last_user_agent_, "complaints-tracker-test/1.0 (+ops@example.org)");
  auto missing = client->Send({.url = server_->Url("/nope")});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(HttpStatusToStatus(404, "source x", "u").code(), StatusCode::kNotFound);
  EXPECT_TRUE(HttpStatusToStatus(503, "source x", "u").transient());
  EXPECT_TRUE(HttpStatusToStatus(429, "source x", "u").transient());
  EXPECT_FALSE(HttpStatusToStatus(403, "source x", "u").transient());
}

TEST_F(HttpClientTest, DecodesGzip) {
  auto client = MakeCurlHttpClient(LoopbackOptions());
  auto r = client->Send({.url = server_->Url("/gzip")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, std::string(5000, 'a'));
}

TEST_F(HttpClientTest, CapsTheDecodedBody) {
  HttpClientOptions o = LoopbackOptions();
  o.max_body_bytes = 1000;
  auto client = MakeCurlHttpClient(o);
  auto big = client->Send({.url = server_->Url("/big")});
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted) << big.status().ToString();
  auto bomb = client->Send({.url = server_->Url("/bomb")});  // small on the wire, 1 MB decoded
  EXPECT_EQ(bomb.status().code(), StatusCode::kResourceExhausted) << bomb.status().ToString();
  EXPECT_NE(bomb.status().message().find("exceeds 1000 bytes"), std::string::npos);
}

TEST_F(HttpClientTest, TimeoutsTruncationAndDropsAreTransient) {
  auto client = MakeCurlHttpClient(LoopbackOptions());
  auto slow = client->Send({.url = server_->Url("/slow"), .timeout_ms = 200});
  EXPECT_EQ(slow.status().code(), StatusCode::kDeadlineExceeded) << slow.status().ToString();
  auto cut = client->Send({.url = server_->Url("/truncated")});
  EXPECT_EQ(cut.status().code(), StatusCode::kUnavailable) << cut.status().ToString();
  auto dropped = client->Send({.url = server_->Url("/drop")});
  EXPECT_EQ(dropped.status().code(), StatusCode::kUnavailable) << dropped.status().ToString();
  EXPECT_TRUE(dropped.status().transient());
}

TEST_F(HttpClientTest, RefusesRedirectsToInternalAddresses) {
  auto client = MakeCurlHttpClient(LoopbackOptions());
  auto meta = client->Send({.url = server_->Url("/to-metadata")});
  EXPECT_EQ(meta.status().code(), StatusCode::kPermissionDenied) << meta.status().ToString();
  EXPECT_NE(meta.status().message().find("169.254.169.254 (cloud metadata"), std::string::npos);
  auto priv = client->Send({.url = server_->Url("/to-private")});
  EXPECT_EQ(priv.status().code(), StatusCode::kPermissionDenied) << priv.status().ToString();
  EXPECT_NE(priv.status().message().find("10.0.0.7 (private"), std::string::npos);
}

TEST_F(HttpClientTest, RefusesLoopbackWithoutAllowlistEvenByName) {
  HttpClientOptions o = LoopbackOptions();
  o.guard = SsrfGuard();
  auto client = MakeCurlHttpClient(o);
  auto by_ip = client->Send({.url = server_->Url("/ok")});
  EXPECT_EQ(by_ip.status().code(), StatusCode::kPermissionDenied);
  auto by_name = client->Send(
      {.url = "http://localhost:" + std::to_string(server_->port()) + "/ok"});
  EXPECT_EQ(by_name.status().code(), StatusCode::kPermissionDenied) << by_name.status().ToString();
  EXPECT_EQ(server_->requests(), 0);
}

TEST_F(HttpClientTest, FollowsAtMostFiveRedirects) {
  auto client = MakeCurlHttpClient(LoopbackOptions());
  auto five = client->Send({.url = server_->Url("/hop/5")});
  ASSERT_TRUE(five.ok()) << five.status().ToString();
  EXPECT_EQ(five->body, "arrived");
  EXPECT_EQ(five->redirects, 5);
  EXPECT_EQ(five->final_url, server_->Url("/hop/0"));
  auto six = client->Send({.url = server_->Url("/hop/6")});
  EXPECT_EQ(six.status().code(), StatusCode::kFailedPrecondition) << six.status().ToString();
}

TEST_F(HttpClientTest, UsesTheConfiguredProxy) {
  HttpClientOptions o = LoopbackOptions();
  o.proxy = server_->Url("");
  auto client = MakeCurlHttpClient(o);
  auto r = client->Send({.url = "http://forum.example.org/latest.json"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "via proxy");
  EXPECT_EQ(last_target_, "http://forum.example.org/latest.json");
}

TEST_F(HttpClientTest, RejectsNonHttpSchemes) {
  auto client = MakeCurlHttpClient(LoopbackOptions());
  auto r = client->Send({.url = "file:///etc/passwd"});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
}

}  // namespace
}  // namespace ct
