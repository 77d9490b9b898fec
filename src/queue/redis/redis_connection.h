// RedisConnection: one blocking hiredis connection (RAII over redisContext*) with a connect
// timeout and a per-command deadline; RedisPool: idle connections shared by threads.
//
// hiredis errors are translated here, once: connection refused/reset/EOF -> Unavailable,
// a timed-out read or write -> DeadlineExceeded, "OOM" replies -> Unavailable (a full Redis
// cannot take writes; the fallback queue must take over), other error replies -> Internal unless
// the caller interprets them (see RedisReplyError()).
//
// Thread safety: a RedisConnection is used by one thread at a time. RedisPool is thread-safe; a
// connection that saw an I/O error is discarded instead of returned, so the next Acquire()
// reconnects (this is how a restarted Redis is picked up again).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "queue/redis/redis_url.h"

struct redisContext;  // hiredis, kept out of this header
struct redisReply;

namespace ct {

struct RedisReplyDeleter {
  void operator()(redisReply* reply) const;
};
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyDeleter>;

struct RedisTimeouts {
  std::int64_t connect_ms = 2'000;
  std::int64_t command_ms = 2'000;
};

class RedisConnection {
 public:
  // Connects, AUTHs and SELECTs as the endpoint says.
  static Result<std::unique_ptr<RedisConnection>> Open(const RedisEndpoint& endpoint,
                                                       const RedisTimeouts& timeouts);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command and reads its reply within the command timeout (or `timeout_ms` when > 0,
  // for blocking commands such as BLPOP). An error *reply* is returned as a reply (type error):
  // only transport failures are a non-ok Result, and they mark the connection broken.
  Result<RedisReplyPtr> Command(std::span<const std::string> args, std::int64_t timeout_ms = 0);

  // True after a transport error: the connection must not be reused.
  bool broken() const { return broken_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  RedisConnection() = default;
  Status TransportError(std::string_view what);

  std::unique_ptr<redisContext, ContextDeleter> ctx_;
  RedisTimeouts timeouts_;
  bool broken_ = false;
};

// Turns an error reply into a Status (OOM -> Unavailable, else Internal with the message);
// Ok for any other reply.
Status RedisReplyError(const redisReply& reply, std::string_view what);

class RedisPool {
 public:
  RedisPool(RedisEndpoint endpoint, RedisTimeouts timeouts, int max_idle);

  // A connection borrowed from the pool; returned to it on destruction unless broken.
  class Handle {
   public:
    Handle(RedisPool* pool, std::unique_ptr<RedisConnection> conn, bool reused)
        : pool_(pool), conn_(std::move(conn)), reused_(reused) {}
    Handle(Handle&&) = default;
    Handle& operator=(Handle&&) = default;
    ~Handle();
    RedisConnection* operator->() const { return conn_.get(); }
    RedisConnection& operator*() const { return *conn_; }
    // True when the connection was idle in the pool: it may have died since (Redis restart).
    bool reused() const { return reused_; }

   private:
    RedisPool* pool_;
    std::unique_ptr<RedisConnection> conn_;
    bool reused_;
  };

  // An idle connection, or a new one (Unavailable / DeadlineExceeded when Redis is unreachable).
  Result<Handle> Acquire();
  // Drops every idle connection (after one turned out dead: the others likely are too).
  void Clear();

  const RedisEndpoint& endpoint() const { return endpoint_; }
  const RedisTimeouts& timeouts() const { return timeouts_; }

 private:
  void Release(std::unique_ptr<RedisConnection> conn);

  const RedisEndpoint endpoint_;
  const RedisTimeouts timeouts_;
  const int max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<RedisConnection>> idle_;  // guarded by mu_
};

}  // namespace ct
