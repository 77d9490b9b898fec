// RAII wrappers over libpq for the PostgreSQL store: one connection, one result, query
// parameters, and the single place where libpq errors become a Status (TranslateError).
//
// Error mapping (transient ones are retryable):
//   connection lost / class 08 / 57P01-57P03 (shutdown) -> Unavailable
//   57014 statement timeout, 55P03 lock timeout          -> DeadlineExceeded
//   40001 serialization, 40P01 deadlock                  -> Aborted
//   53xxx insufficient resources                         -> Unavailable
//   23505 unique violation                               -> AlreadyExists
//   other 23xxx constraint, 22xxx bad data               -> InvalidArgument
//   anything else (syntax, undefined object, ...)        -> Internal
//
// Thread safety: a PgConnection is used by one thread at a time (the pool hands it out).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace ct::pg {

struct ResultDeleter {
  void operator()(PGresult* r) const;
};
struct ConnDeleter {
  void operator()(PGconn* c) const;
};

// A successful query result (tuples or command). Text format values.
class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r) {}
  int rows() const;
  int cols() const;
  bool IsNull(int row, int col) const;
  std::string_view Text(int row, int col) const;  // "" when NULL
  std::int64_t Int(int row, int col) const;
  double Double(int row, int col) const;
  bool Bool(int row, int col) const;
  std::optional<std::int64_t> OptInt(int row, int col) const;
  std::optional<double> OptDouble(int row, int col) const;
  std::int64_t AffectedRows() const;  // for INSERT/UPDATE/DELETE

 private:
  std::unique_ptr<PGresult, ResultDeleter> r_;
};

// Positional query parameters ($1, $2, ...), sent as text. Values are copied.
class PgParams {
 public:
  PgParams& Add(std::string_view v);
  PgParams& Add(const char* v) { return Add(std::string_view(v)); }
  PgParams& Add(const std::string& v) { return Add(std::string_view(v)); }
  PgParams& Add(std::int64_t v);
  PgParams& Add(int v) { return Add(static_cast<std::int64_t>(v)); }
  PgParams& Add(double v);  // exact: 17 significant digits
  PgParams& Add(bool v);
  PgParams& AddNull();
  // A text[] literal, e.g. {"a","b\"c"}.
  PgParams& AddTextArray(const std::vector<std::string>& values);
  // Adds a value and returns its placeholder, e.g. "$3", for building SQL as you go.
  template <typename T>
  std::string Placeholder(const T& v) {
    Add(v);
    // Appended rather than "$" + ...: GCC 12 at -O3 (Release) reports a false -Wrestrict there.
    std::string placeholder = "$";
    placeholder += std::to_string(values_.size());
    return placeholder;
  }

  int size() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

class PgConnection {
 public:
  // Connects to `url` (libpq URL or conninfo) and sets statement_timeout. connect_timeout_s
  // bounds the connection attempt.
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& url,
                                                       int statement_timeout_ms,
                                                       int connect_timeout_s);
  ~PgConnection();

  // Runs one or more statements without parameters (simple protocol).
  Result<PgResult> Exec(const std::string& sql);
  Result<PgResult> Exec(const std::string& sql, const PgParams& params);
  // Like Exec(sql, params), but the statement is prepared once per connection and reused: for
  // the few statements a caller runs over and over (the SQL job queue's).
  Result<PgResult> ExecPrepared(const std::string& sql, const PgParams& params);
  // COPY ... FROM STDIN with `data` in COPY text format; returns rows copied.
  Result<std::int64_t> CopyIn(const std::string& copy_sql, std::string_view data);

  // False once the connection is known to be lost; the pool then drops it.
  bool healthy() const;
  // Healthy and outside any transaction: safe to hand to the next caller.
  bool reusable() const;
  // Reads pending input without blocking (e.g. the server's goodbye after a restart) so that a
  // dead idle connection is noticed before it is used.
  void Poll();
  // Whether any command succeeded since the last ResetUsage(): a failure before that can be
  // retried on a fresh connection without risk of running anything twice.
  bool used() const { return used_; }
  void ResetUsage() { used_ = false; }

 private:
  explicit PgConnection(PGconn* c) : c_(c) {}
  Status ErrorFrom(PGresult* r, std::string_view what);

  std::unique_ptr<PGconn, ConnDeleter> c_;
  bool used_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
};

// The one translation from a libpq failure to a Status. `sqlstate` may be empty (no server
// error: the connection itself failed).
Status TranslateError(std::string_view sqlstate, std::string_view message, bool connection_ok);

// Escapes `s` for a COPY text-format field (backslash, tab, newline, carriage return).
void AppendCopyText(std::string& out, std::string_view s);

}  // namespace ct::pg
