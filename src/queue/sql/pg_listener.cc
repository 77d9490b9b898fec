#include "queue/sql/pg_listener.h"

#include <libpq-fe.h>
#include <poll.h>

#include <utility>

namespace ct::queue_sql {

void PgListener::ConnCloser::operator()(PGconn* c) const { PQfinish(c); }

PgListener::PgListener(std::string url, std::string channel, int connect_timeout_s)
    : url_(std::move(url)), channel_(std::move(channel)), connect_timeout_s_(connect_timeout_s) {}

PgListener::~PgListener() = default;

bool PgListener::EnsureListening() {
  if (conn_ && PQstatus(conn_.get()) == CONNECTION_OK) return true;
  conn_.reset();
  const char* keys[] = {"dbname", "connect_timeout", nullptr};
  const std::string timeout = std::to_string(connect_timeout_s_);
  const char* values[] = {url_.c_str(), timeout.c_str(), nullptr};
  std::unique_ptr<PGconn, ConnCloser> conn(PQconnectdbParams(keys, values, 1));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) return false;
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(conn.get(), ("LISTEN " + channel_).c_str());
  const bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) return false;
  conn_ = std::move(conn);
  return true;
}

bool PgListener::Drain() {
  bool any = false;
  while (PGnotify* n = PQnotifies(conn_.get())) {
    any = true;
    PQfreemem(n);
  }
  return any;
}

PgListener::Outcome PgListener::Wait(int timeout_ms) {
  const bool was_connected = conn_ != nullptr;
  if (!EnsureListening()) return Outcome::kDisconnected;
  if (!was_connected) return Outcome::kNotified;  // a reconnect may have missed NOTIFYs
  if (PQconsumeInput(conn_.get()) == 0) {
    conn_.reset();
    return Outcome::kDisconnected;
  }
  if (Drain()) return Outcome::kNotified;
  pollfd fd{PQsocket(conn_.get()), POLLIN, 0};
  if (fd.fd < 0) {
    conn_.reset();
    return Outcome::kDisconnected;
  }
  const int rc = poll(&fd, 1, timeout_ms);
  if (rc <= 0) return Outcome::kTimeout;  // EINTR counts as a timeout: callers loop
  if (PQconsumeInput(conn_.get()) == 0) {
    conn_.reset();
    return Outcome::kDisconnected;
  }
  return Drain() ? Outcome::kNotified : Outcome::kTimeout;
}

}  // namespace ct::queue_sql
