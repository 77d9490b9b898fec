#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace ct::pg {

void ResultDeleter::operator()(PGresult* r) const { PQclear(r); }
void ConnDeleter::operator()(PGconn* c) const { PQfinish(c); }

// --- PgResult ---

int PgResult::rows() const { return PQntuples(r_.get()); }
int PgResult::cols() const { return PQnfields(r_.get()); }
bool PgResult::IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }

std::string_view PgResult::Text(int row, int col) const {
  return std::string_view(PQgetvalue(r_.get(), row, col),
                          static_cast<size_t>(PQgetlength(r_.get(), row, col)));
}

std::int64_t PgResult::Int(int row, int col) const {
  const std::string_view s = Text(row, col);
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

double PgResult::Double(int row, int col) const {
  // PostgreSQL prints the shortest text that reads back to the same double (extra_float_digits
  // >= 1), so strtod is exact.
  return std::strtod(PQgetvalue(r_.get(), row, col), nullptr);
}

bool PgResult::Bool(int row, int col) const { return Text(row, col) == "t"; }

std::optional<std::int64_t> PgResult::OptInt(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Int(row, col);
}

std::optional<double> PgResult::OptDouble(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Double(row, col);
}

std::int64_t PgResult::AffectedRows() const {
  const char* n = PQcmdTuples(r_.get());
  return (n == nullptr || *n == '\0') ? 0 : std::strtoll(n, nullptr, 10);
}

// --- PgParams ---

PgParams& PgParams::Add(std::string_view v) {
  values_.emplace_back(std::string(v));
  return *this;
}
PgParams& PgParams::Add(std::int64_t v) {
  values_.emplace_back(std::to_string(v));
  return *this;
}
PgParams& PgParams::Add(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  values_.emplace_back(buf);
  return *this;
}
PgParams& PgParams::Add(bool v) {
  values_.emplace_back(v ? "true" : "false");
  return *this;
}
PgParams& PgParams::AddNull() {
  values_.emplace_back(std::nullopt);
  return *this;
}
PgParams& PgParams::AddTextArray(const std::vector<std::string>& values) {
  std::string lit = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) lit += ',';
    lit += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') lit += '\\';
      lit += c;
    }
    lit += '"';
  }
  lit += '}';
  values_.emplace_back(std::move(lit));
  return *this;
}
std::vector<const char*> PgParams::Pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

// --- errors ---

Status TranslateError(std::string_view sqlstate, std::string_view message, bool connection_ok) {
  std::string msg(message);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (!sqlstate.empty()) msg += " (SQLSTATE " + std::string(sqlstate) + ")";
  const std::string m = "postgresql: " + msg;
  if (sqlstate.empty()) {
    return connection_ok ? Status::Internal(m) : Status::Unavailable(m);
  }
  const std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "08" || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
      cls == "53") {
    return Status::Unavailable(m);
  }
  if (sqlstate == "57014" || sqlstate == "55P03") return Status::DeadlineExceeded(m);
  if (sqlstate == "40001" || sqlstate == "40P01") return Status::Aborted(m);
  if (sqlstate == "23505") return Status::AlreadyExists(m);
  if (cls == "23" || cls == "22") return Status::InvalidArgument(m);
  if (!connection_ok) return Status::Unavailable(m);
  return Status::Internal(m);
}

// --- PgConnection ---

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& url,
                                                            int statement_timeout_ms,
                                                            int connect_timeout_s) {
  const std::string timeout = std::to_string(std::max(2, connect_timeout_s));
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {url.c_str(), timeout.c_str(), "complaints", nullptr};
  std::unique_ptr<PgConnection> conn(new PgConnection(PQconnectdbParams(keys, values, 1)));
  if (!conn->c_) return Status::Unavailable("postgresql: out of memory allocating a connection");
  // Notices (and the server's goodbye on a dropped idle connection) would go to stderr; every
  // failure that matters reaches the caller as a Status instead.
  PQsetNoticeProcessor(conn->c_.get(), [](void*, const char*) {}, nullptr);
  if (PQstatus(conn->c_.get()) != CONNECTION_OK) {
    return TranslateError("", PQerrorMessage(conn->c_.get()), false)
        .WithContext("connecting to the database");
  }
  // extra_float_digits=3: doubles travel as their shortest exact text. jit=off: the store runs
  // short queries, where JIT compilation costs more than it saves.
  CT_RETURN_IF_ERROR(conn->Exec("SET statement_timeout = " + std::to_string(statement_timeout_ms) +
                                "; SET client_encoding = 'UTF8'; SET extra_float_digits = 3; "
                                "SET client_min_messages = warning; SET jit = off")
                         .status());
  conn->used_ = false;
  return conn;
}

PgConnection::~PgConnection() = default;

bool PgConnection::healthy() const { return PQstatus(c_.get()) == CONNECTION_OK; }

bool PgConnection::reusable() const {
  return healthy() && PQtransactionStatus(c_.get()) == PQTRANS_IDLE;
}

void PgConnection::Poll() {
  if (!healthy()) return;
  pollfd pfd{PQsocket(c_.get()), POLLIN, 0};
  if (pfd.fd < 0) return;
  if (::poll(&pfd, 1, 0) > 0) {
    // Input on an idle connection is a notice or a termination message; consuming it marks a
    // closed connection CONNECTION_BAD.
    PQconsumeInput(c_.get());
    while (PGresult* r = PQgetResult(c_.get())) PQclear(r);
  }
}

Status PgConnection::ErrorFrom(PGresult* r, std::string_view what) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message = r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r)
                                                            : PQerrorMessage(c_.get());
  Status s = TranslateError(state ? state : "", message, healthy());
  return what.empty() ? s : s.WithContext(what);
}

namespace {
bool ResultOk(PGresult* r) {
  const ExecStatusType st = PQresultStatus(r);
  return r != nullptr && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);
}
}  // namespace

Result<PgResult> PgConnection::Exec(const std::string& sql) {
  PGresult* r = PQexec(c_.get(), sql.c_str());
  if (!ResultOk(r)) {
    Status s = ErrorFrom(r, "");
    PQclear(r);
    return s;
  }
  used_ = true;
  return PgResult(r);
}

Result<PgResult> PgConnection::Exec(const std::string& sql, const PgParams& params) {
  const std::vector<const char*> values = params.Pointers();
  PGresult* r = PQexecParams(c_.get(), sql.c_str(), params.size(), nullptr, values.data(),
                             nullptr, nullptr, 0);
  if (!ResultOk(r)) {
    Status s = ErrorFrom(r, "");
    PQclear(r);
    return s;
  }
  used_ = true;
  return PgResult(r);
}

Result<PgResult> PgConnection::ExecPrepared(const std::string& sql, const PgParams& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "ct_p" + std::to_string(prepared_.size());
    PGresult* r = PQprepare(c_.get(), name.c_str(), sql.c_str(), 0, nullptr);
    if (!ResultOk(r)) {
      Status s = ErrorFrom(r, "preparing");
      PQclear(r);
      return s;
    }
    PQclear(r);
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  const std::vector<const char*> values = params.Pointers();
  PGresult* r = PQexecPrepared(c_.get(), it->second.c_str(), params.size(), values.data(), nullptr,
                               nullptr, 0);
  if (!ResultOk(r)) {
    Status s = ErrorFrom(r, "");
    PQclear(r);
    return s;
  }
  used_ = true;
  return PgResult(r);
}

Result<std::int64_t> PgConnection::CopyIn(const std::string& copy_sql, std::string_view data) {
  PGresult* start = PQexec(c_.get(), copy_sql.c_str());
  if (PQresultStatus(start) != PGRES_COPY_IN) {
    Status s = ErrorFrom(start, "starting COPY");
    PQclear(start);
    return s;
  }
  PQclear(start);
  // Blocking connection: PQputCopyData only returns -1 on a hard failure.
  constexpr size_t kChunk = 1 << 20;
  for (size_t off = 0; off < data.size(); off += kChunk) {
    const size_t n = std::min(kChunk, data.size() - off);
    if (PQputCopyData(c_.get(), data.data() + off, static_cast<int>(n)) != 1) break;
  }
  PQputCopyEnd(c_.get(), nullptr);
  Status status;
  std::int64_t rows = 0;
  while (PGresult* r = PQgetResult(c_.get())) {
    if (PQresultStatus(r) == PGRES_COMMAND_OK) {
      const char* n = PQcmdTuples(r);
      rows = (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
    } else if (status.ok()) {
      status = ErrorFrom(r, "");
    }
    PQclear(r);
  }
  if (!status.ok()) return status;
  if (!healthy()) return TranslateError("", PQerrorMessage(c_.get()), false);
  used_ = true;
  return rows;
}

void AppendCopyText(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

}  // namespace ct::pg
