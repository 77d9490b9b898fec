#include "store/sqlite/sqlite_migrations.h"

#include <charconv>
#include <set>
#include <string>

#include "core/clock.h"
#include "store/sqlite/sqlite_db.h"

namespace ct::sqlite {
namespace {

struct Migration {
  std::int64_t version = 0;
  std::string name;
  std::string_view sql;
};

Result<Migration> ParseMigration(std::string_view file, std::string_view sql) {
  Migration m;
  const auto [end, ec] = std::from_chars(file.data(), file.data() + file.size(), m.version);
  if (ec != std::errc() || end == file.data() || *end != '_' || !file.ends_with(".sql")) {
    return Status::Internal("migration file '" + std::string(file) +
                            "' is not named NNNN_name.sql");
  }
  const std::size_t start = static_cast<std::size_t>(end - file.data()) + 1;
  m.name = std::string(file.substr(start, file.size() - start - 4));
  m.sql = sql;
  return m;
}

}  // namespace

Status ApplyMigrations(SqliteConnection& conn, const Clock& clock) {
  CT_RETURN_IF_ERROR(conn.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
  std::set<std::int64_t> seen;
  std::int64_t previous = 0;
  for (const auto& [file, sql] : sqlite_migrations::All()) {
    CT_ASSIGN_OR_RETURN(Migration m, ParseMigration(file, sql));
    if (!seen.insert(m.version).second || m.version <= previous) {
      return Status::Internal("migration " + std::string(file) + " is out of order or repeated");
    }
    previous = m.version;

    CT_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn, Transaction::Kind::kImmediate));
    bool applied = false;
    {
      CT_ASSIGN_OR_RETURN(Statement check,
                          conn.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?"));
      check.BindInt(1, m.version);
      CT_ASSIGN_OR_RETURN(applied, check.Step());
    }
    if (applied) continue;  // another process got there first; tx rolls back (nothing done)
    Status s = conn.Exec(m.sql);
    if (!s.ok()) return s.WithContext("applying migration " + std::string(file));
    {
      CT_ASSIGN_OR_RETURN(
          Statement record,
          conn.Prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"));
      record.BindInt(1, m.version);
      record.BindText(2, m.name);
      record.BindInt(3, clock.NowSeconds());
      CT_RETURN_IF_ERROR(record.Run());
    }
    CT_RETURN_IF_ERROR(tx.Commit());
  }
  return Status::Ok();
}

}  // namespace ct::sqlite
