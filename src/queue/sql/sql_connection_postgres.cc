// PostgreSQL side of SqlConnection: named prepared statements per connection, text parameters,
// error mapping by SQLSTATE.
#include <libpq-fe.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "queue/sql/sql_connection.h"

namespace ct::queue_sql {
namespace {

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClearer {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClearer>;

Status Translate(PGconn* conn, const PGresult* res, std::string_view what) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  std::string msg = std::string(what) + ": " +
                    (res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
                                                       : PQerrorMessage(conn));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (PQstatus(conn) != CONNECTION_OK || sqlstate.empty() || sqlstate.starts_with("08") ||
      sqlstate.starts_with("57P") || sqlstate.starts_with("53"))
    return Status::Unavailable(msg);
  if (sqlstate == "57014" || sqlstate == "55P03") return Status::DeadlineExceeded(msg);
  if (sqlstate == "40001" || sqlstate == "40P01") return Status::Aborted(msg);
  if (sqlstate == "23505") return Status::AlreadyExists(msg);
  if (sqlstate.starts_with("23") || sqlstate.starts_with("22")) return Status::InvalidArgument(msg);
  return Status::Internal(msg);
}

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(PGconn* c) : conn_(c) {}
  Dialect dialect() const override { return Dialect::kPostgres; }

  bool Healthy() override {
    if (broken_ || PQstatus(conn_.get()) != CONNECTION_OK) return false;
    // Reads a pending goodbye from a restarted server without blocking.
    if (PQconsumeInput(conn_.get()) == 0) return false;
    return PQstatus(conn_.get()) == CONNECTION_OK &&
           PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
  }

  Status Exec(const std::string& sql) override {
    ResultPtr r(PQexec(conn_.get(), sql.c_str()));
    return Check(r.get(), "exec");
  }

  Result<SqlRows> Query(const std::string& sql, const std::vector<SqlValue>& params) override {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      std::string name = "q" + std::to_string(prepared_.size());
      ResultPtr r(PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr));
      CT_RETURN_IF_ERROR(Check(r.get(), "prepare"));
      it = prepared_.emplace(sql, std::move(name)).first;
    }
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (auto* n = std::get_if<std::int64_t>(&params[i])) {
        text[i] = std::to_string(*n);
        values[i] = text[i].c_str();
      } else if (auto* s = std::get_if<std::string>(&params[i])) {
        values[i] = s->c_str();
      }
    }
    ResultPtr r(PQexecPrepared(conn_.get(), it->second.c_str(), static_cast<int>(values.size()),
                               values.data(), nullptr, nullptr, 0));
    CT_RETURN_IF_ERROR(Check(r.get(), "query"));
    SqlRows out;
    const int rows = PQntuples(r.get());
    const int cols = PQnfields(r.get());
    out.rows.reserve(rows);
    for (int i = 0; i < rows; ++i) {
      SqlRow row(cols);
      for (int c = 0; c < cols; ++c)
        if (!PQgetisnull(r.get(), i, c))
          row[c] = std::string(PQgetvalue(r.get(), i, c), PQgetlength(r.get(), i, c));
      out.rows.push_back(std::move(row));
    }
    const char* affected = PQcmdTuples(r.get());
    out.changes = (affected && *affected) ? std::stoll(affected) : 0;
    return out;
  }

 private:
  Status Check(PGresult* r, std::string_view what) {
    const auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
    Status s = Translate(conn_.get(), r, what);
    if (s.code() == StatusCode::kUnavailable) broken_ = true;
    return s;
  }

  std::unique_ptr<PGconn, ConnCloser> conn_;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
  bool broken_ = false;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const std::string& url,
                                                              int statement_timeout_ms,
                                                              int connect_timeout_s) {
  const char* keys[] = {"dbname", "connect_timeout", "options", nullptr};
  const std::string timeout = std::to_string(connect_timeout_s);
  const std::string options = "-c statement_timeout=" + std::to_string(statement_timeout_ms);
  const char* values[] = {url.c_str(), timeout.c_str(), options.c_str(), nullptr};
  // expand_dbname=1: `url` may be a URI or a conninfo string.
  std::unique_ptr<PGconn, ConnCloser> conn(PQconnectdbParams(keys, values, 1));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    std::string msg = conn ? PQerrorMessage(conn.get()) : "out of memory";
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return Status::Unavailable("connecting to PostgreSQL: " + msg);
  }
  // NOTICEs (e.g. "relation already exists, skipping") are not errors; keep stderr clean.
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
  return std::unique_ptr<SqlConnection>(std::make_unique<PostgresConnection>(conn.release()));
}

}  // namespace ct::queue_sql
