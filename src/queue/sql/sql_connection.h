// SqlConnection: the queue's minimal view of one database connection, shared by the SQLite and
// PostgreSQL dialects so that SqlJobQueue holds the state machine once. Statements use $1..$n
// placeholders on both (the SQLite side rewrites them to ?1..?n); values travel as text or
// integers and come back as text (NULL = nullopt). The implementations (sql_connection_sqlite.cc,
// sql_connection_postgres.cc) are adapters over the store's wrappers, store/sqlite/sqlite_db.h
// and store/postgres/pg_connection.h, which hold the RAII, the statement caches and the one
// error translation per database.
//
// Thread safety: a connection is used by one thread at a time (ConnectionPool hands it out).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"

namespace ct::queue_sql {

enum class Dialect { kSqlite, kPostgres };

using SqlValue = std::variant<std::nullptr_t, std::int64_t, std::string>;
using SqlRow = std::vector<std::optional<std::string>>;

struct SqlRows {
  std::vector<SqlRow> rows;
  std::int64_t changes = 0;  // rows changed by an INSERT/UPDATE/DELETE
};

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual Dialect dialect() const = 0;
  // Runs one statement with parameters bound to $1..$n (prepared once per connection).
  virtual Result<SqlRows> Query(const std::string& sql, const std::vector<SqlValue>& params) = 0;
  // Runs a script of statements without parameters (migrations, BEGIN, COMMIT).
  virtual Status Exec(const std::string& sql) = 0;
  // False once the connection is known to be unusable (lost, mid-failed-transaction); such a
  // connection is dropped instead of going back to the pool. May poll the socket.
  virtual bool Healthy() = 0;
};

// Opens SQLite `path` (WAL, busy_timeout, synchronous=NORMAL).
Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path,
                                                            int busy_timeout_ms);
// Connects to PostgreSQL `url` with a statement_timeout.
Result<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const std::string& url,
                                                              int statement_timeout_ms,
                                                              int connect_timeout_s);

// A pool of connections created on demand by `open`, keeping at most `max_idle` idle ones.
// Thread-safe.
class ConnectionPool {
 public:
  using Opener = std::function<Result<std::unique_ptr<SqlConnection>>()>;
  ConnectionPool(Opener open, int max_idle) : open_(std::move(open)), max_idle_(max_idle) {}

  // A connection lent to one caller; goes back to the pool on destruction when still healthy.
  class Lent {
   public:
    Lent(ConnectionPool* pool, std::unique_ptr<SqlConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lent(Lent&&) = default;
    Lent& operator=(Lent&&) = delete;
    ~Lent() {
      if (conn_) pool_->Return(std::move(conn_));
    }
    SqlConnection& operator*() { return *conn_; }
    SqlConnection* operator->() { return conn_.get(); }
    // Closes the connection instead of returning it.
    void Discard() { conn_.reset(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<SqlConnection> conn_;
  };

  Result<Lent> Acquire();

 private:
  void Return(std::unique_ptr<SqlConnection> conn);

  Opener open_;
  const int max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;
};

// Text-to-integer for result columns; 0 for NULL or garbage (the schema guarantees integers).
std::int64_t ToInt(const std::optional<std::string>& v);
std::optional<std::int64_t> ToOptInt(const std::optional<std::string>& v);

}  // namespace ct::queue_sql
