// The `backup` job: a verified copy of the store's database in <data_dir>/backups, then
// retention.
//   SQLite:     online backup API (sqlite3_backup_*) into complaints-YYYYmmddTHHMMSSZ.db — a
//               consistent snapshot while the API and workers keep writing — then
//               PRAGMA integrity_check on the copy; anything but "ok" fails the job (DataLoss).
//   PostgreSQL: pg_dump -Fc into complaints-YYYYmmddTHHMMSSZ.dump, verified with
//               pg_restore --list. Both run as a child process group with a deadline.
// A copy is written under a ".partial" name and renamed once verified, so a crash never leaves
// a file that looks like a good backup.
// Retention keeps the newest backup of each of the `keep_hourly` most recent hours and of each
// of the `keep_daily` most recent days (by the time in the file name); other backups go.
// Thread safety: plain functions; two backups of one data_dir must not run at once (the
// scheduler and /jobs use the unique key "backup").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "jobs/job_handler.h"

namespace ct {

struct BackupOptions {
  std::string database_url;  // sqlite:PATH or postgresql://...
  std::string data_dir;      // backups go to <data_dir>/backups
  int keep_hourly = 24;
  int keep_daily = 30;
  int tool_timeout_s = 3600;  // pg_dump / pg_restore deadline
};

// "complaints-20240131T235959Z.db" for unix_seconds and extension "db".
std::string BackupFileName(std::int64_t unix_seconds, const std::string& extension);
// The time in a backup file name, or nullopt when the name is not one of ours.
std::optional<std::int64_t> ParseBackupFileName(const std::string& name);

// Names (of those given, by file name) that retention deletes. Pure.
std::vector<std::string> SelectBackupsToDelete(const std::vector<std::string>& names,
                                               int keep_hourly, int keep_daily);

// Applies retention in `dir`; returns the deleted names.
Result<std::vector<std::string>> ApplyBackupRetention(const std::string& dir, int keep_hourly,
                                                      int keep_daily);

// Runs one backup; the result is {"path","bytes","verified","deleted":[...]}.
Result<std::string> RunBackup(const BackupOptions& options, const Clock& clock, JobContext& ctx);

// Locates a PostgreSQL client tool (pg_dump, pg_restore, psql): PATH, then Debian's per-version
// directories. FailedPrecondition naming the tool when it is nowhere.
Result<std::string> FindPgTool(const std::string& name);

}  // namespace ct
