// Schema migrations for the PostgreSQL store: numbered files migrations/NNNN_name.sql, embedded
// in the binary at build time (ct_embed_files), applied in order.
//
// Each pending migration runs in its own transaction holding a transaction-scoped advisory
// lock, and is recorded in schema_migrations(version, name, applied_at) in that transaction, so
// processes starting at once apply each migration exactly once (the others wait, then see it
// recorded).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/postgres/pg_connection.h"

namespace ct {
class Clock;
}

namespace ct::pg {

struct Migration {
  int version = 0;
  std::string name;  // file name without ".sql", e.g. "0001_posts"
  std::string_view sql;
};

// The embedded migrations, ascending. Fails on a malformed file name or a duplicate/missing
// number (a packaging bug, caught by tests).
Result<std::vector<Migration>> EmbeddedMigrations();

Status ApplyMigrations(PgConnection& conn, const std::vector<Migration>& migrations,
                       const Clock& clock);

}  // namespace ct::pg
