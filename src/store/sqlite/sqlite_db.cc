#include "store/sqlite/sqlite_db.h"

#include <sqlite3.h>

namespace ct::sqlite {

Status TranslateError(int rc, std::string_view what, std::string_view detail) {
  std::string message = std::string(what) + ": " + std::string(detail);
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(message));
    case SQLITE_INTERRUPT:
      return Status::DeadlineExceeded(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::DataLoss(std::move(message));
    case SQLITE_CONSTRAINT:
      return Status::InvalidArgument(std::move(message));
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_IOERR:
      return Status::Unavailable(std::move(message));
    default:
      return Status::Internal(std::move(message));
  }
}

void StmtDeleter::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Statement::BindInt(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
}
void Statement::BindDouble(int index, double value) { sqlite3_bind_double(stmt_, index, value); }
void Statement::BindText(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}
void Statement::BindNull(int index) { sqlite3_bind_null(stmt_, index); }
void Statement::BindOptionalDouble(int index, const std::optional<double>& value) {
  if (value) {
    BindDouble(index, *value);
  } else {
    BindNull(index);
  }
}
void Statement::BindOptionalInt(int index, const std::optional<std::int64_t>& value) {
  if (value) {
    BindInt(index, *value);
  } else {
    BindNull(index);
  }
}

void Statement::Bind(int index, const SqlValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          BindNull(index);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          BindInt(index, v);
        } else if constexpr (std::is_same_v<T, double>) {
          BindDouble(index, v);
        } else {
          BindText(index, v);
        }
      },
      value);
}

void Statement::BindAll(const std::vector<SqlValue>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) Bind(static_cast<int>(i + 1), values[i]);
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return TranslateError(rc, "sqlite step", sqlite3_errmsg(db_));
}

Status Statement::Run() {
  CT_ASSIGN_OR_RETURN(bool row, Step());
  (void)row;
  return Status::Ok();
}

std::int64_t Statement::ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::ColumnDouble(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Statement::ColumnText(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}
std::string_view Statement::ColumnView(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (text == nullptr) return {};
  return std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}
bool Statement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}
int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

void SqliteConnection::DbDeleter::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                 const Options& options) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(raw));
  if (rc != SQLITE_OK) {
    return TranslateError(rc, "opening sqlite database '" + path + "'",
                          raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);

  // Another process may hold the lock while it creates the file or switches it to WAL; the
  // busy handler does not cover this pragma in every case, so retry for up to busy_timeout.
  const int kStepMs = 10;
  for (int waited = 0;; waited += kStepMs) {
    Status s = conn->Exec("PRAGMA journal_mode=WAL");
    if (s.ok()) break;
    if (s.code() != StatusCode::kUnavailable || waited >= options.busy_timeout_ms) {
      return s.WithContext("enabling WAL on '" + path + "'");
    }
    sqlite3_sleep(kStepMs);
  }
  CT_RETURN_IF_ERROR(conn->Exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"));
  // The default 2 MB page cache turns index maintenance and scans on a large file into a
  // stream of pread() calls; a bigger cache plus mmap (shared by every connection through the
  // OS page cache) keeps hot pages in memory.
  CT_RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size=-" + std::to_string(options.cache_kib) +
                                "; PRAGMA mmap_size=" + std::to_string(options.mmap_bytes) +
                                "; PRAGMA temp_store=MEMORY;"));
  CT_RETURN_IF_ERROR(
      conn->Exec("PRAGMA wal_autocheckpoint=" + std::to_string(options.wal_autocheckpoint_pages) +
                 "; PRAGMA journal_size_limit=" +
                 std::to_string(options.journal_size_limit_bytes) + ";"));
  if (options.query_only) CT_RETURN_IF_ERROR(conn->Exec("PRAGMA query_only=ON"));
  return conn;
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();  // statements must be finalised before the connection closes
}

Status SqliteConnection::Exec(std::string_view sql) {
  char* err = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string detail = err ? err : sqlite3_errmsg(db_.get());
    sqlite3_free(err);
    return TranslateError(rc, "sqlite exec", detail);
  }
  return Status::Ok();
}

Result<Statement> SqliteConnection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    if (cache_.size() >= kMaxCachedStatements) cache_.clear();
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return TranslateError(rc, "sqlite prepare", sqlite3_errmsg(db_.get()));
    }
    it = cache_.emplace(sql, StmtPtr(stmt)).first;
  }
  return Statement(it->second.get(), db_.get());
}

std::int64_t SqliteConnection::Changes() const { return sqlite3_changes64(db_.get()); }
std::int64_t SqliteConnection::LastInsertRowid() const {
  return sqlite3_last_insert_rowid(db_.get());
}

Result<Transaction> Transaction::Begin(SqliteConnection& conn, Kind kind) {
  CT_RETURN_IF_ERROR(conn.Exec(kind == Kind::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Transaction(&conn);
}

Transaction::~Transaction() {
  if (conn_ != nullptr) (void)conn_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  Status s = conn_->Exec("COMMIT");
  if (s.ok()) conn_ = nullptr;
  return s;
}

}  // namespace ct::sqlite
