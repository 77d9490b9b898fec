// PgServer: a real, throw-away PostgreSQL server for tests (label `pg`).
//
// Start() runs initdb into a fresh temp directory, picks a free TCP port on 127.0.0.1 and runs
// `pg_ctl start -w` with fast, non-durable settings (fsync=off: it is a test). The destructor
// stops the server and removes the directory, also when a test failed. PostgreSQL refuses to
// run as root, so when euid == 0 the binaries run as the `postgres` user (runuser), which owns
// the data directory; otherwise they run as the current user. The superuser is always
// `postgres`, authentication is `trust`, and the cluster uses UTF-8 with the C.UTF-8 locale
// (Unicode case folding in full-text search).
//
// Missing binaries are an error (FailedPrecondition naming what is missing): pg tests must
// fail, never skip.
//
// SharedPgServer() gives one lazily started server per test binary; CreateDatabase() gives each
// test its own database (CREATE DATABASE ... TEMPLATE template0) for isolation.
//
// Thread safety: CreateDatabase() may be called concurrently; Stop()/Start() must not race
// with other calls.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace ct::testing {

class PgServer {
 public:
  // Starts a new server with the newest version installed under `install_root`
  // (<root>/<major>/bin). Fails when PostgreSQL is not installed or does not start (the message
  // includes the server log).
  static Result<std::unique_ptr<PgServer>> Start(
      const std::string& install_root = "/usr/lib/postgresql");

  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // Creates a fresh, empty database and returns its URL,
  // "postgresql://postgres@127.0.0.1:PORT/ct_test_N".
  Result<std::string> CreateDatabase();

  // URL of the maintenance database `postgres`.
  std::string AdminUrl() const;
  int port() const { return port_; }
  // Temp directory holding the cluster; removed by the destructor.
  const std::string& dir() const { return dir_; }

  // Stops the server (fast shutdown: sessions are terminated) and starts it again on the same
  // port and data directory. For reconnect tests.
  Status StopServer();
  Status StartServer();
  bool running() const { return running_; }

 private:
  PgServer() = default;
  Status InitCluster();
  Status RunPg(const std::string& tool, const std::vector<std::string>& args,
               const std::string& what);
  std::string ReadLog() const;

  std::string bin_dir_;
  std::string dir_;       // temp root, removed in the destructor
  std::string data_dir_;  // dir_/data
  std::string log_path_;  // dir_/server.log
  int port_ = 0;
  bool as_postgres_user_ = false;
  bool running_ = false;
  std::atomic<int> next_db_{0};
};

// The server shared by every test of this binary, started on first use and stopped at exit.
// Returns the same error on every call if it could not start.
Result<PgServer*> SharedPgServer();

// Convenience for tests: a fresh database on the shared server.
Result<std::string> FreshDatabaseUrl();

}  // namespace ct::testing
