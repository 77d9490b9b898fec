// PgTransaction: BEGIN on creation, ROLLBACK on destruction unless committed.
// Used by one thread, on the connection it wraps.
#pragma once

#include <string>

#include "core/status.h"
#include "store/postgres/pg_connection.h"

namespace ct::pg {

class PgTransaction {
 public:
  // `begin` is the opening statement, e.g. "BEGIN" or "BEGIN ISOLATION LEVEL REPEATABLE READ".
  static Result<PgTransaction> Begin(PgConnection& conn, const std::string& begin = "BEGIN") {
    CT_RETURN_IF_ERROR(conn.Exec(begin).status());
    return PgTransaction(&conn);
  }
  PgTransaction(PgTransaction&& o) noexcept : conn_(o.conn_) { o.conn_ = nullptr; }
  PgTransaction& operator=(PgTransaction&&) = delete;
  ~PgTransaction() {
    // A failed rollback leaves the connection mid-transaction; the pool then drops it.
    if (conn_ != nullptr) (void)conn_->Exec("ROLLBACK");
  }

  Status Commit() {
    PgConnection* c = conn_;
    conn_ = nullptr;
    return c->Exec("COMMIT").status();
  }

 private:
  explicit PgTransaction(PgConnection* conn) : conn_(conn) {}
  PgConnection* conn_;
};

}  // namespace ct::pg
