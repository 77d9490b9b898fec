// RedisServer: a real, throw-away redis-server for tests (label `redis`).
//
// Start() picks a free TCP port on 127.0.0.1 and runs /usr/bin/redis-server (or the one on
// PATH) in a fresh temp directory, with no config file: `--save "" --appendonly no` unless
// `persistent` (then AOF, appendfsync always, so Stop()/StartAgain() keeps every write, as in
// production), and `--maxmemory-policy noeviction` unless told otherwise. The destructor
// kills the server and removes the directory, also when a test failed; the child also dies with
// the test binary (PR_SET_PDEATHSIG), so a crashed test leaves no server behind.
//
// Lives in src/queue/redis/testing (library ct_test_redis) rather than tests/support because
// tests/ is configured after src/ and the Redis tests sit beside the code they test.
//
// A missing redis-server is an error (FailedPrecondition naming it): redis tests fail, never
// skip.
//
// Isolation: each test takes a fresh key prefix (NewKeyPrefix()) on the shared server, or calls
// FlushAll().
//
// Thread safety: NewKeyPrefix() may be called concurrently; Stop()/StartAgain()/Exec() must not
// race with each other.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace ct::testing {

struct RedisServerOptions {
  bool persistent = false;                      // AOF on, so restarts keep the data
  std::string maxmemory_policy = "noeviction";  // what production requires
  std::vector<std::string> extra_args;          // more redis-server flags
};

class RedisServer {
 public:
  static Result<std::unique_ptr<RedisServer>> Start(RedisServerOptions options = {});

  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // "redis://127.0.0.1:PORT"
  std::string url() const;
  int port() const { return port_; }
  bool running() const { return pid_ > 0; }

  // Kills the server (SIGKILL: an outage, not a clean shutdown; with `persistent` every write
  // already reached the AOF) and waits for it to exit. Idempotent.
  Status Stop();
  // Starts it again on the same port and directory; returns once it answers PING.
  Status StartAgain();

  // Runs one command on a short-lived connection; returns the reply rendered as text
  // (integers and strings as-is, arrays space-joined). For test set-up: CONFIG SET, FLUSHALL...
  Result<std::string> Exec(const std::vector<std::string>& args) const;
  Status FlushAll() const;

  // A prefix no other test of this binary uses, e.g. "t7:".
  std::string NewKeyPrefix() { return "t" + std::to_string(next_prefix_++) + ":"; }

 private:
  RedisServer() = default;
  Status Launch();
  std::string ReadLog() const;

  std::string binary_;
  RedisServerOptions options_;
  std::string dir_;  // temp dir, removed in the destructor
  int port_ = 0;
  pid_t pid_ = 0;
  std::atomic<int> next_prefix_{0};
};

// One server per test binary, started on first use, stopped at exit. Returns the same error on
// every call if it could not start.
Result<RedisServer*> SharedRedisServer();

}  // namespace ct::testing
