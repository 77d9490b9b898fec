// HttpProbe: a background thread that keeps requesting one path of an API over real HTTP (a new
// TCP connection per request, as a browser or load balancer would after a restart) and counts
// the requests that failed: connection refused/reset, a timeout, or a status other than 200.
// The chaos drills run one against `complaints serve` and assert zero failures ("the API stays
// up while workers, Redis or jobs die").
//
// Thread safety: Start/Stop from one thread; the counters from any.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ct::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released), for the
// API of a `serve` under test.
int FreeLoopbackPort();

struct HttpResult {
  std::string error;  // "" when a complete response arrived
  int status = 0;
  std::string body;
};

// GET http://127.0.0.1:`port``path` on a new connection (Connection: close), the whole response
// read; `error` says what went wrong (connect/send/recv errors, a malformed or short response).
HttpResult HttpGet(int port, const std::string& path);

class HttpProbe {
 public:
  // GET http://127.0.0.1:`port``path`, e.g. path "/posts?limit=5".
  HttpProbe(int port, std::string path);
  ~HttpProbe();
  HttpProbe(const HttpProbe&) = delete;
  HttpProbe& operator=(const HttpProbe&) = delete;

  // Waits until one request answers 200 (the API is up; not counted), up to `limit`; false if
  // it never did. Then starts the loop. Call once.
  bool Start(std::chrono::milliseconds limit);
  // Stops the loop (idempotent) after its request in flight.
  void Stop();

  long requests() const { return requests_; }
  long failures() const { return failures_; }
  // The first few failures, e.g. "connect: Connection refused", "status 503".
  std::vector<std::string> failure_samples() const;
  // "N requests, F failed (first: ...)" for assertion messages.
  std::string Summary() const;

  // One request; "" when it answered 200, else what went wrong.
  std::string RequestOnce() const;

 private:
  void Loop();

  const int port_;
  const std::string path_;
  std::atomic<bool> stop_{false};
  std::atomic<long> requests_{0};
  std::atomic<long> failures_{0};
  mutable std::mutex mu_;
  std::vector<std::string> samples_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace ct::testing
