// Restoring a backup made by the backup job (jobs/backup_job.h) into the configured database.
//   SQLite:     the backup file must pass PRAGMA integrity_check; its pages are then copied
//               into the database with the online backup API (one write transaction: readers
//               see the old or the new content, never a mix), and the result is checked again.
//   PostgreSQL: pg_restore --clean --if-exists of a pg_dump -Fc file, replayed by psql in one
//               transaction (see restore.cc for why not pg_restore -d directly):
//               all or nothing. Objects of the same names are dropped and recreated.
// The caller takes a safety backup of the current database first (complaints restore does,
// through RunBackup, unless told not to).
// Thread safety: plain functions. Stop the api/workers/scheduler during a PostgreSQL restore
// (pg_restore --clean waits for their locks).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "jobs/job_handler.h"

namespace ct {

struct RestoreOptions {
  std::string database_url;  // target: sqlite:PATH or postgresql://...
  std::string backup_path;   // a complaints-*.db (SQLite) or complaints-*.dump (pg_dump -Fc)
  int tool_timeout_s = 3600;  // pg_restore deadline
};

// Restores; returns {"database","from","verified"} as JSON text.
Result<std::string> RestoreBackup(const RestoreOptions& options, JobContext& ctx);

// The backups in `dir` (names the backup job writes), oldest first.
Result<std::vector<std::string>> ListBackups(const std::string& dir);

// Runs argv to completion within timeout_s, polling ctx for cancellation; the error carries
// the tool's stderr tail.
Status RunTool(const std::vector<std::string>& argv, int timeout_s, JobContext& ctx);

}  // namespace ct
