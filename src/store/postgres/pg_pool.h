// PgPool: a bounded pool of PostgreSQL connections shared by the threads of one Store.
//
// Connections open lazily, up to `size`. A caller waits at most `acquire_timeout_ms` for a free
// connection (then DeadlineExceeded). A connection that was lost (server restarted, network cut)
// or returned mid-transaction is dropped, never reused, so the pool heals by itself once the
// server is back: the next call opens a new connection.
//
// Thread safety: all methods are thread-safe. A Lease is used by one thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/postgres/pg_connection.h"

namespace ct::pg {

class PgPool {
 public:
  PgPool(std::string url, int size, int statement_timeout_ms, int acquire_timeout_ms);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // Exclusive use of one connection; returns it to the pool on destruction.
  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConnection& operator*() { return *conn_; }
    PgConnection* operator->() { return conn_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  Result<Lease> Acquire();

  // Runs fn on a pooled connection. When fn fails because the connection turned out to be dead
  // before any command succeeded on it (e.g. the first use after a server restart), fn is
  // retried once on a fresh connection: nothing can have run twice.
  Status Run(const std::function<Status(PgConnection&)>& fn);

 private:
  void Release(std::unique_ptr<PgConnection> conn);

  const std::string url_;
  const int size_;
  const int statement_timeout_ms_;
  const int acquire_timeout_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by mu_
  int open_ = 0;                                     // guarded by mu_; idle + leased
};

}  // namespace ct::pg
