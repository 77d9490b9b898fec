// PgListener: one dedicated PostgreSQL connection that LISTENs on a channel, for WaitForWork.
// Reconnects (and LISTENs again) after the server restarts; a reconnect counts as a
// notification, because NOTIFYs sent while disconnected are lost.
// Thread safety: one thread at a time (SqlJobQueue lets a single waiter hold it).
#pragma once

#include <memory>
#include <string>

typedef struct pg_conn PGconn;

namespace ct::queue_sql {

class PgListener {
 public:
  enum class Outcome { kNotified, kTimeout, kDisconnected };

  PgListener(std::string url, std::string channel, int connect_timeout_s);
  ~PgListener();
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;

  // Connects and LISTENs unless already listening. False when the server is unreachable.
  bool EnsureListening();
  // Waits up to timeout_ms for a notification. kDisconnected returns at once: the caller waits
  // out its slice elsewhere and tries again later.
  Outcome Wait(int timeout_ms);

 private:
  struct ConnCloser {
    void operator()(PGconn* c) const;
  };
  // Drains pending notifications; true when at least one arrived.
  bool Drain();

  std::string url_;
  std::string channel_;
  int connect_timeout_s_;
  std::unique_ptr<PGconn, ConnCloser> conn_;
};

}  // namespace ct::queue_sql
