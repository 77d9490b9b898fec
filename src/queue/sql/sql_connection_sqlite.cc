// SQLite side of SqlConnection: an adapter over the store's SQLite wrapper (store/sqlite/
// sqlite_db.h: statement cache, RAII, the one SQLite error translation), plus the $N -> ?N
// placeholder rewriting the queue's shared SQL needs.
#include <cctype>
#include <memory>
#include <string>

#include "queue/sql/sql_connection.h"
#include "store/sqlite/sqlite_db.h"

namespace ct::queue_sql {
namespace {

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

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(std::unique_ptr<sqlite::SqliteConnection> conn)
      : conn_(std::move(conn)) {}
  Dialect dialect() const override { return Dialect::kSqlite; }
  bool Healthy() override { return true; }

  Status Exec(const std::string& sql) override { return conn_->Exec(sql); }

  Result<SqlRows> Query(const std::string& sql, const std::vector<SqlValue>& params) override {
    // The rewritten text is the cache key of the wrapper's statement cache.
    CT_ASSIGN_OR_RETURN(sqlite::Statement st, conn_->Prepare(RewritePlaceholders(sql)));
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i) + 1;
      const SqlValue& v = params[i];
      if (std::holds_alternative<std::nullptr_t>(v)) {
        st.BindNull(idx);
      } else if (auto* n = std::get_if<std::int64_t>(&v)) {
        st.BindInt(idx, *n);
      } else {
        st.BindText(idx, std::get<std::string>(v));
      }
    }
    SqlRows out;
    const int cols = st.ColumnCount();
    for (;;) {
      CT_ASSIGN_OR_RETURN(bool has_row, st.Step());
      if (!has_row) break;
      SqlRow row(static_cast<std::size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        if (!st.ColumnIsNull(c)) row[static_cast<std::size_t>(c)] = st.ColumnText(c);
      }
      out.rows.push_back(std::move(row));
    }
    out.changes = conn_->Changes();
    return out;
  }

 private:
  std::unique_ptr<sqlite::SqliteConnection> conn_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path,
                                                            int busy_timeout_ms) {
  sqlite::SqliteConnection::Options options;
  options.busy_timeout_ms = busy_timeout_ms;
  // The queue's tables are small and hot: SQLite's default cache, no memory map.
  options.cache_kib = 2 * 1024;
  options.mmap_bytes = 0;
  CT_ASSIGN_OR_RETURN(auto conn, sqlite::SqliteConnection::Open(path, options));
  return std::unique_ptr<SqlConnection>(std::make_unique<SqliteConnection>(std::move(conn)));
}

}  // namespace ct::queue_sql
