// PostgreSQL side of SqlConnection: an adapter over the store's libpq wrapper
// (store/postgres/pg_connection.h: RAII, statements prepared once per connection, the one
// SQLSTATE -> Status translation).
#include <memory>
#include <string>

#include "queue/sql/sql_connection.h"
#include "store/postgres/pg_connection.h"

namespace ct::queue_sql {
namespace {

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(std::unique_ptr<pg::PgConnection> conn) : conn_(std::move(conn)) {}
  Dialect dialect() const override { return Dialect::kPostgres; }

  bool Healthy() override {
    // Reads a pending goodbye from a restarted server without blocking.
    conn_->Poll();
    return conn_->reusable();
  }

  Status Exec(const std::string& sql) override { return conn_->Exec(sql).status(); }

  Result<SqlRows> Query(const std::string& sql, const std::vector<SqlValue>& params) override {
    pg::PgParams bound;
    for (const SqlValue& v : params) {
      if (std::holds_alternative<std::nullptr_t>(v)) {
        bound.AddNull();
      } else if (auto* n = std::get_if<std::int64_t>(&v)) {
        bound.Add(*n);
      } else {
        bound.Add(std::get<std::string>(v));
      }
    }
    CT_ASSIGN_OR_RETURN(pg::PgResult r, conn_->ExecPrepared(sql, bound));
    SqlRows out;
    const int rows = r.rows();
    const int cols = r.cols();
    out.rows.reserve(static_cast<std::size_t>(rows));
    for (int i = 0; i < rows; ++i) {
      SqlRow row(static_cast<std::size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        if (!r.IsNull(i, c)) row[static_cast<std::size_t>(c)] = std::string(r.Text(i, c));
      }
      out.rows.push_back(std::move(row));
    }
    out.changes = r.AffectedRows();
    return out;
  }

 private:
  std::unique_ptr<pg::PgConnection> conn_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const std::string& url,
                                                              int statement_timeout_ms,
                                                              int connect_timeout_s) {
  CT_ASSIGN_OR_RETURN(auto conn,
                      pg::PgConnection::Connect(url, statement_timeout_ms, connect_timeout_s));
  return std::unique_ptr<SqlConnection>(std::make_unique<PostgresConnection>(std::move(conn)));
}

}  // namespace ct::queue_sql
