#include "api/test_http_client.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <stdexcept>

#include "api/http_types.h"

namespace ct::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string ClientResponse::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

struct TestHttpClient::State {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  int timeout_ms;
};

TestHttpClient::TestHttpClient(int port, int timeout_ms) : state_(std::make_unique<State>()) {
  state_->timeout_ms = timeout_ms;
  state_->stream.expires_after(std::chrono::milliseconds(timeout_ms));
  state_->stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                                 static_cast<unsigned short>(port)));
}

TestHttpClient::~TestHttpClient() {
  beast::error_code ec;
  state_->stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
}

void TestHttpClient::Write(const std::string& raw) {
  state_->stream.expires_after(std::chrono::milliseconds(state_->timeout_ms));
  beast::error_code ec;
  // Sync ops on tcp_stream ignore the timeout; acceptable for tests (server-side deadlines are
  // what is under test).
  asio::write(state_->stream.socket(), asio::buffer(raw), ec);
  if (ec) throw std::runtime_error("write: " + ec.message());
}

ClientResponse TestHttpClient::Read() {
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 32);
  parser.header_limit(1 << 20);
  beast::error_code ec;
  http::read(state_->stream.socket(), state_->buffer, parser, ec);
  if (ec) throw std::runtime_error("read: " + ec.message());
  auto& res = parser.get();
  ClientResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) out.headers.emplace_back(f.name_string(), f.value());
  out.body = std::move(res.body());
  out.chunked = parser.chunked();
  out.keep_alive = res.keep_alive();
  return out;
}

ClientResponse TestHttpClient::Send(const std::string& method, const std::string& target,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    const std::string& body) {
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
  bool has_length = false;
  for (const auto& [k, v] : headers) {
    raw += k + ": " + v + "\r\n";
    if (EqualsIgnoreCase(k, "Content-Length")) has_length = true;
  }
  if (!body.empty() && !has_length)
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  raw += "\r\n" + body;
  return SendRaw(raw);
}

ClientResponse TestHttpClient::SendRaw(const std::string& raw) {
  Write(raw);
  return Read();
}

bool TestHttpClient::WaitClosed() {
  // A blocking read with SO_RCVTIMEO so a server that keeps the connection open fails the test
  // instead of hanging it.
  timeval tv{state_->timeout_ms / 1000, (state_->timeout_ms % 1000) * 1000};
  ::setsockopt(state_->stream.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  while (true) {
    ssize_t n = ::recv(state_->stream.socket().native_handle(), &c, 1, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

ClientResponse Fetch(int port, const std::string& method, const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     const std::string& body) {
  TestHttpClient client(port);
  return client.Send(method, target, headers, body);
}

}  // namespace ct::testing
