// migrate-data: copies a complaints database into PostgreSQL, verified, all or nothing.
//
// Sources:
//   sqlite:PATH       this product's SQLite store: posts, api_tokens and the SQL queue's job
//                     history (jobs, job_events) and schedule firings.
//   postgresql://...  the predecessor's database: a `posts` table (source, author, content,
//                     url, created_at, sentiment_score/label, language, country,
//                     relevance_score, is_answered, product, ... — the columns present are
//                     mapped, the others take their defaults; see MapLegacyPosts in the .cc).
// Steps: 1) back the source up (jobs/backup_job.h: SQLite online backup or pg_dump);
// 2) OpenStore + the SQL queue on the target apply the schema; 3) in ONE target transaction,
// each table is streamed in batches with COPY into a temporary staging table and upserted by
// primary key (posts keep their ids; identity sequences are moved past the largest id);
// 4) per table the row counts must be equal and a random sample of rows (every column,
// canonical text) must have the same checksum on both sides; 5) COMMIT only then, otherwise
// ROLLBACK and the error lists what differed. Running it again is safe: rows already copied are
// updated in place (a no-op when equal), so a second run verifies and changes nothing.
// The per-source state (cursors, breakers) is a file in the data dir, not in the database:
// it is not copied (keep the data dir).
//
// Thread safety: one migration at a time per target; the source should not be written to
// while it runs (the SQLite source is read in one read transaction: a consistent snapshot).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace ct {

struct MigrateOptions {
  std::string from_url;  // sqlite:PATH | postgresql://... (predecessor)
  std::string to_url;    // postgresql://...
  std::string data_dir;  // the source's backup goes to <data_dir>/backups
  bool backup_source = true;
  int batch_rows = 5000;     // rows per COPY
  int sample_rows = 1000;    // rows per table compared column by column
  std::uint64_t seed = 0;    // sample choice; 0 = random
  int statement_timeout_ms = 0;  // on the target; 0 = none (one long transaction)
};

struct TableCheck {
  std::string table;
  std::int64_t source_rows = 0;
  std::int64_t target_rows = 0;
  std::int64_t sampled = 0;
  std::uint64_t sample_checksum = 0;  // FNV-1a of the sampled rows, equal on both sides
};

struct MigrateReport {
  std::string source_kind;  // "sqlite" | "legacy-postgresql"
  std::string backup_path;  // empty when not backed up
  std::vector<TableCheck> tables;
  std::vector<std::string> notes;  // what the operator should know (unmapped columns...)
};

// done/total rows copied so far; `what` names the current step.
using MigrateProgress =
    std::function<void(std::int64_t done, std::int64_t total, const std::string& what)>;

// Errors: InvalidArgument (bad URLs), the source's or target's errors, DataLoss when the
// verification failed (rolled back; the message says which table and what differed).
Result<MigrateReport> MigrateData(const MigrateOptions& options, const Clock& clock,
                                  const MigrateProgress& progress);

}  // namespace ct
