// HttpServer: an HTTP/1.1 server (Boost.Beast, kept out of this header) that turns each request
// into a plain HttpRequest, calls one handler, and writes the HttpResponse back.
//
// - Keep-alive, pipelining-safe; a connection waits at most idle_timeout_ms for the first byte of
//   its next request, then read + handle + write of that request must finish within
//   request_timeout_ms or the connection is closed.
// - Header block larger than max_header_bytes -> 431, body larger than max_body_bytes -> 413,
//   malformed HTTP or query string -> 400; each with a JSON error body, then the connection is
//   closed. These never reach the handler; `on_reject` (optional) is told their status.
// - The handler runs on an I/O thread and may block briefly (a store query). A response with a
//   `producer` is streamed (chunked) from a dedicated thread that owns the socket, writing
//   synchronously with a per-write deadline of request_timeout_ms, so a slow reader never holds
//   an I/O thread; that connection is closed after the last chunk.
// - Stop(): stops accepting, lets in-flight requests finish (their connections then close),
//   closes idle keep-alive connections, waits for streams to end. Idempotent; also run by the
//   destructor.
//
// Thread safety: Start/Stop/port may be called from any thread; the handler is called
// concurrently from several I/O threads and must be thread-safe.
#pragma once

#include <functional>
#include <memory>

#include "api/http_types.h"
#include "core/config.h"
#include "core/status.h"

namespace ct {

using HttpHandler = std::function<HttpResponse(HttpRequest& request)>;
using RejectObserver = std::function<void(int http_status)>;

class HttpServer {
 public:
  HttpServer(const ServerConfig& config, HttpHandler handler, RejectObserver on_reject = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds config.listen ("host:port"; port 0 picks a free port) and starts the I/O threads.
  // Fails with Unavailable naming the address when it cannot bind. Call once.
  Status Start();
  void Stop();
  // The bound port (after a successful Start), else 0.
  int port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" / "[v6]:port". Fails with InvalidArgument naming the text.
Status SplitHostPort(std::string_view listen, std::string& host, int& port);

}  // namespace ct
