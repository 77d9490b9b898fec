// Thin RAII layer over the SQLite C API, used by the SQLite store backend and by the SQL job
// queue (queue/sql/sql_connection_sqlite.cc): a connection that owns its sqlite3* and a cache of
// prepared statements, a statement handle that resets itself when it goes out of scope, and a
// transaction that rolls back unless committed.
// SQLite result codes are translated into Status here and nowhere else.
//
// Thread safety: a SqliteConnection and everything obtained from it may be used by one thread
// at a time (connections are opened with SQLITE_OPEN_NOMUTEX; the store's pool hands each one
// to a single caller).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ct::sqlite {

// Maps a SQLite result code to a Status: BUSY/LOCKED -> Unavailable (transient),
// INTERRUPT -> DeadlineExceeded, CORRUPT/NOTADB -> DataLoss, CONSTRAINT -> InvalidArgument,
// CANTOPEN/FULL/IOERR -> Unavailable, anything else -> Internal. `what` says what was being done.
Status TranslateError(int rc, std::string_view what, std::string_view detail);

struct StmtDeleter {
  void operator()(sqlite3_stmt* stmt) const;
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// A bindable SQL value. Text is copied by SQLite (SQLITE_TRANSIENT) unless bound as a view.
using SqlValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

// A prepared statement borrowed from a connection's cache. Resets and clears its bindings on
// destruction so the cached statement is ready for the next use. Not copyable.
class Statement {
 public:
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_(other.db_) {
    other.stmt_ = nullptr;
  }

  // Parameters are 1-based, as in SQLite.
  void BindInt(int index, std::int64_t value);
  void BindDouble(int index, double value);
  void BindText(int index, std::string_view value);  // copied
  void BindNull(int index);
  void BindOptionalDouble(int index, const std::optional<double>& value);
  void BindOptionalInt(int index, const std::optional<std::int64_t>& value);
  void Bind(int index, const SqlValue& value);
  // Binds values to parameters 1..n in order.
  void BindAll(const std::vector<SqlValue>& values);

  // Advances: true when a row is available, false when done.
  Result<bool> Step();
  // Runs a statement that returns no rows.
  Status Run();

  std::int64_t ColumnInt(int col) const;
  double ColumnDouble(int col) const;
  std::string ColumnText(int col) const;
  // Valid until the next Step() or the statement's end; no copy.
  std::string_view ColumnView(int col) const;
  bool ColumnIsNull(int col) const;
  int ColumnCount() const;

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
};

// One open database connection with its prepared-statement cache.
class SqliteConnection {
 public:
  struct Options {
    int busy_timeout_ms = 5'000;
    bool query_only = false;  // reader connections refuse writes
    std::int64_t cache_kib = 16 * 1024;             // private page cache per connection
    // Address space, not memory. SQLite caps it at its compile-time SQLITE_MAX_MMAP_SIZE
    // (2 GB in common builds); pages past the cap are read with pread() into the page cache.
    std::int64_t mmap_bytes = 4LL * 1024 * 1024 * 1024;
    // WAL pages that trigger an automatic checkpoint (SQLite's default: 1000). Writers raise it
    // so a large import checkpoints (and fsyncs) once per tens of MB instead of every batch.
    int wal_autocheckpoint_pages = 1000;
    // After a checkpoint the WAL is truncated to at most this many bytes (-1: never).
    std::int64_t journal_size_limit_bytes = -1;
  };

  // Opens (creating when missing) and configures: WAL, busy_timeout, foreign_keys=ON,
  // synchronous=NORMAL. Switching to WAL is retried while another process holds the lock.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path,
                                                        const Options& options);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Runs one or more statements without results (schema scripts, BEGIN/COMMIT, pragmas).
  Status Exec(std::string_view sql);

  // A prepared statement for `sql`, prepared once per connection and reused afterwards.
  Result<Statement> Prepare(const std::string& sql);

  // Rows changed by the last INSERT/UPDATE/DELETE.
  std::int64_t Changes() const;
  std::int64_t LastInsertRowid() const;

  sqlite3* raw() const { return db_.get(); }

 private:
  struct DbDeleter {
    void operator()(sqlite3* db) const;
  };
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  std::unique_ptr<sqlite3, DbDeleter> db_;
  // Dynamic filters give a bounded but open set of SQL shapes; the cache is cleared when it
  // grows past this many, which only costs re-preparing.
  static constexpr std::size_t kMaxCachedStatements = 256;
  std::unordered_map<std::string, StmtPtr> cache_;
};

// BEGIN [IMMEDIATE] ... COMMIT; rolls back in the destructor unless Commit() succeeded.
class Transaction {
 public:
  enum class Kind { kDeferred, kImmediate };
  static Result<Transaction> Begin(SqliteConnection& conn, Kind kind);
  ~Transaction();
  Transaction(Transaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;

  Status Commit();

 private:
  explicit Transaction(SqliteConnection* conn) : conn_(conn) {}
  SqliteConnection* conn_;  // null once committed or rolled back
};

}  // namespace ct::sqlite
