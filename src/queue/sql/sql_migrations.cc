#include "queue/sql/sql_migrations.h"

#include <string>

namespace ct::queue_sql {
namespace {

// Any constant: it names the lock that serialises queue migrations across processes.
constexpr std::int64_t kPgMigrationLock = 0x43545155455545;  // "CTQUEUE"

}  // namespace

Status ApplyQueueMigrations(SqlConnection& conn, std::int64_t now_ms) {
  const bool pg = conn.dialect() == Dialect::kPostgres;
  const auto files = pg ? PostgresMigrations() : SqliteMigrations();
  for (const auto& [name, sql] : files) {
    const std::int64_t version = std::stoll(std::string(name.substr(0, 4)));
    CT_RETURN_IF_ERROR(conn.Exec(pg ? "BEGIN" : "BEGIN IMMEDIATE"));
    auto body = [&]() -> Status {
      if (pg) {
        CT_RETURN_IF_ERROR(
            conn.Query("SELECT pg_advisory_xact_lock($1)", {kPgMigrationLock}).status());
      }
      CT_RETURN_IF_ERROR(conn.Exec(
          "CREATE TABLE IF NOT EXISTS queue_schema_migrations ("
          " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
      CT_ASSIGN_OR_RETURN(
          SqlRows done,
          conn.Query("SELECT 1 FROM queue_schema_migrations WHERE version = $1", {version}));
      if (!done.rows.empty()) return Status::Ok();
      CT_RETURN_IF_ERROR(conn.Exec(std::string(sql)).WithContext(std::string(name)));
      return conn
          .Query("INSERT INTO queue_schema_migrations (version, name, applied_at) "
                 "VALUES ($1, $2, $3)",
                 {version, std::string(name), now_ms})
          .status();
    };
    Status s = body();
    if (!s.ok()) {
      (void)conn.Exec("ROLLBACK");
      return s.WithContext("queue migration");
    }
    CT_RETURN_IF_ERROR(conn.Exec("COMMIT"));
  }
  return Status::Ok();
}

}  // namespace ct::queue_sql
