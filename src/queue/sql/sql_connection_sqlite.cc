// SQLite side of SqlConnection: prepared-statement cache, $N -> ?N rewriting, error mapping.
#include <sqlite3.h>

#include <cctype>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

#include "queue/sql/sql_connection.h"

namespace ct::queue_sql {
namespace {

// BUSY/LOCKED are transient; a unique-key clash is AlreadyExists; the rest are bugs or damage.
Status Translate(int rc, sqlite3* db, std::string_view what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(msg);
    case SQLITE_INTERRUPT:
      return Status::DeadlineExceeded(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::DataLoss(msg);
    case SQLITE_CONSTRAINT:
      return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
                 ? Status::AlreadyExists(msg)
                 : Status::InvalidArgument(msg);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      return Status::Unavailable(msg);
    default:
      return Status::Internal(msg);
  }
}

// "$12" -> "?12" outside string literals (the queue's SQL never puts '$' in literals, but be
// safe about quotes anyway).
std::string RewritePlaceholders(const std::string& sql) {
  std::string out;
  out.reserve(sql.size());
  bool in_quote = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') in_quote = !in_quote;
    if (!in_quote && c == '$' && i + 1 < sql.size() &&
        std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  Dialect dialect() const override { return Dialect::kSqlite; }
  bool Healthy() override { return true; }

  Status Exec(const std::string& sql) override {
    char* err = nullptr;
    int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err);
    std::unique_ptr<char, decltype(&sqlite3_free)> holder(err, &sqlite3_free);
    if (rc != SQLITE_OK) return Translate(rc, db_.get(), "exec");
    return Status::Ok();
  }

  Result<SqlRows> Query(const std::string& sql, const std::vector<SqlValue>& params) override {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* raw = nullptr;
      const std::string rewritten = RewritePlaceholders(sql);
      int rc = sqlite3_prepare_v3(db_.get(), rewritten.c_str(), -1, SQLITE_PREPARE_PERSISTENT,
                                  &raw, nullptr);
      if (rc != SQLITE_OK) return Translate(rc, db_.get(), "prepare");
      it = cache_.emplace(sql, std::unique_ptr<sqlite3_stmt, StmtFinalizer>(raw)).first;
    }
    sqlite3_stmt* st = it->second.get();
    // Reset on every exit so the cached statement holds no read snapshot or locks.
    struct Resetter {
      sqlite3_stmt* s;
      ~Resetter() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } resetter{st};
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i) + 1;
      const SqlValue& v = params[i];
      if (std::holds_alternative<std::nullptr_t>(v)) {
        sqlite3_bind_null(st, idx);
      } else if (auto* n = std::get_if<std::int64_t>(&v)) {
        sqlite3_bind_int64(st, idx, *n);
      } else {
        const std::string& s = std::get<std::string>(v);
        sqlite3_bind_text(st, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      }
    }
    SqlRows out;
    const int cols = sqlite3_column_count(st);
    while (true) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Translate(rc, db_.get(), "step");
      SqlRow row(cols);
      for (int c = 0; c < cols; ++c) {
        if (sqlite3_column_type(st, c) == SQLITE_NULL) continue;
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
        row[c] = std::string(text, sqlite3_column_bytes(st, c));
      }
      out.rows.push_back(std::move(row));
    }
    out.changes = sqlite3_changes64(db_.get());
    return out;
  }

 private:
  std::unique_ptr<sqlite3, DbCloser> db_;
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, StmtFinalizer>> cache_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path,
                                                            int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  std::unique_ptr<sqlite3, DbCloser> db(raw);
  if (rc != SQLITE_OK) return Translate(rc, raw, "opening " + path);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  auto conn = std::make_unique<SqliteConnection>(db.release());
  // Switching to WAL needs a moment alone with the file; busy_timeout covers that wait.
  CT_RETURN_IF_ERROR(conn->Exec("PRAGMA journal_mode=WAL").WithContext("enabling WAL"));
  CT_RETURN_IF_ERROR(conn->Exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON"));
  return std::unique_ptr<SqlConnection>(std::move(conn));
}

}  // namespace ct::queue_sql
