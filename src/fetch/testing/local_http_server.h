// LocalHttpServer: a small HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for tests and the
// replay server. One request per connection (it answers with Connection: close); each
// connection is served on its own thread. Replies can inject faults: a delay before answering,
// a body cut short of its Content-Length, or a connection closed without a reply.
//
// Thread safety: the handler is called concurrently from connection threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "fetch/http_client.h"

namespace ct::testing {

struct ServerRequest {
  std::string method;
  std::string target;  // path + query, as sent
  std::string path;
  std::string query;   // without '?'
  HttpHeaders headers;  // names lower-cased
  std::string body;
  std::string Header(std::string_view name) const;
  // The decoded value of query parameter `name` ("" when absent).
  std::string Param(std::string_view name) const;
};

struct ServerReply {
  int status = 200;
  HttpHeaders headers;
  std::string body;
  int delay_ms = 0;                           // before the status line
  std::size_t truncate_at = std::string::npos;  // send only this many body bytes, then close
  bool drop = false;                          // close the connection without answering
};

class LocalHttpServer {
 public:
  using Handler = std::function<ServerReply(const ServerRequest&)>;

  explicit LocalHttpServer(Handler handler);
  ~LocalHttpServer();  // Stop()
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  // Binds 127.0.0.1:`port` (0 = ephemeral) and starts accepting.
  Status Start(int port = 0);
  // Stops accepting, wakes delayed replies, joins every thread. Idempotent.
  void Stop();

  int port() const { return port_; }
  std::string Url(std::string_view path_and_query = "/") const;
  int requests() const { return requests_.load(); }

 private:
  void AcceptLoop();
  void Serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable stop_cv_;
  std::thread acceptor_;
  std::vector<std::thread> connections_;
};

// Percent-decodes a query component ('+' is a space).
std::string UrlDecode(std::string_view s);

}  // namespace ct::testing
