// A small blocking HTTP/1.1 client over a real socket, for the API tests (keeps Beast out of the
// test files). One instance = one connection, reused for keep-alive. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ct::testing {

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool chunked = false;    // the body came with Transfer-Encoding: chunked
  bool keep_alive = true;  // the server intends to keep the connection
  // First value of a header (case-insensitive), or "".
  std::string Header(const std::string& name) const;
};

class TestHttpClient {
 public:
  explicit TestHttpClient(int port, int timeout_ms = 10'000);
  ~TestHttpClient();

  // Sends one request and reads the whole response. Throws std::runtime_error on I/O failure.
  ClientResponse Send(const std::string& method, const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers = {},
                      const std::string& body = "");
  // Writes raw bytes, then reads one response.
  ClientResponse SendRaw(const std::string& raw);
  // Writes raw bytes only.
  void Write(const std::string& raw);
  ClientResponse Read();
  // True when the server closes the connection within the client's timeout.
  bool WaitClosed();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// One request on a fresh connection.
ClientResponse Fetch(int port, const std::string& method, const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers = {},
                     const std::string& body = "");

}  // namespace ct::testing
