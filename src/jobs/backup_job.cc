#include "jobs/backup_job.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/time_format.h"
#include "jobs/process_group.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "complaints-";

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteCloser>;

struct BackupFinisher {
  void operator()(sqlite3_backup* b) const { sqlite3_backup_finish(b); }
};

Status SqliteError(sqlite3* db, int rc, const std::string& what) {
  const std::string msg = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return Status::Unavailable(msg);
  if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) return Status::DataLoss(msg);
  if (rc == SQLITE_CANTOPEN || rc == SQLITE_IOERR || rc == SQLITE_FULL) {
    return Status::Unavailable(msg);
  }
  return Status::Internal(msg);
}

Result<SqlitePtr> OpenDb(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqlitePtr db(raw);
  if (rc != SQLITE_OK) return SqliteError(db.get(), rc, "opening " + path);
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

// "ok", or the first problem integrity_check reports.
Result<std::string> IntegrityCheck(const std::string& path) {
  CT_ASSIGN_OR_RETURN(SqlitePtr db, OpenDb(path, SQLITE_OPEN_READONLY));
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db.get(), "PRAGMA integrity_check", -1, &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  if (rc != SQLITE_OK) return SqliteError(db.get(), rc, "integrity_check on " + path);
  rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_ROW) return SqliteError(db.get(), rc, "integrity_check on " + path);
  const unsigned char* text = sqlite3_column_text(stmt.get(), 0);
  return std::string(text ? reinterpret_cast<const char*>(text) : "");
}

Status BackupSqlite(const std::string& source, const std::string& target, JobContext& ctx) {
  if (!fs::exists(source)) return Status::NotFound("database file " + source + " does not exist");
  CT_ASSIGN_OR_RETURN(SqlitePtr src, OpenDb(source, SQLITE_OPEN_READONLY));
  CT_ASSIGN_OR_RETURN(SqlitePtr dst,
                      OpenDb(target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  std::unique_ptr<sqlite3_backup, BackupFinisher> backup(
      sqlite3_backup_init(dst.get(), "main", src.get(), "main"));
  if (!backup) return SqliteError(dst.get(), sqlite3_errcode(dst.get()), "starting the backup");
  // Small steps: writers are only blocked for one step at a time, and progress is real.
  constexpr int kPagesPerStep = 256;
  for (;;) {
    if (ctx.cancelled()) return Status::Aborted("backup cancelled");
    const int rc = sqlite3_backup_step(backup.get(), kPagesPerStep);
    const int total = sqlite3_backup_pagecount(backup.get());
    ctx.Progress(total - sqlite3_backup_remaining(backup.get()), total, "copying pages");
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_OK) continue;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    return SqliteError(dst.get(), rc, "copying " + source);
  }
  const int rc = sqlite3_backup_finish(backup.release());
  if (rc != SQLITE_OK) return SqliteError(dst.get(), rc, "finishing the backup");
  // The copy inherits the source's WAL mode; a backup must be one self-contained file.
  const int jrc = sqlite3_exec(dst.get(), "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  if (jrc != SQLITE_OK) return SqliteError(dst.get(), jrc, "switching the copy to rollback mode");
  return Status::Ok();
}

// Runs a tool to completion within the deadline; stderr tail in the error.
Status RunTool(const std::vector<std::string>& argv, int timeout_s, JobContext& ctx) {
  SpawnOptions o;
  o.argv = argv;
  o.capture_stdout = true;
  o.parent_death_signal = SIGKILL;
  CT_ASSIGN_OR_RETURN(auto group, ProcessGroup::Spawn(o));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    group->ReadLines(100);  // output discarded; keeps the pipe from filling up
    if (auto e = group->TryWait()) {
      if (e->success()) return Status::Ok();
      return Status::Unavailable(argv[0] + " failed (" + e->ToString() + "): " +
                                 group->stderr_tail());
    }
    if (ctx.cancelled()) {
      group->Terminate(std::chrono::seconds(5));
      return Status::Aborted(argv[0] + " cancelled");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      group->Terminate(std::chrono::seconds(5));
      return Status::DeadlineExceeded(argv[0] + " timed out after " + std::to_string(timeout_s) +
                                      " s");
    }
  }
}

}  // namespace

std::string BackupFileName(std::int64_t unix_seconds, const std::string& extension) {
  // "2024-01-31T23:59:59Z" -> "20240131T235959Z"
  std::string iso = FormatIso8601(unix_seconds);
  iso.erase(std::remove_if(iso.begin(), iso.end(), [](char c) { return c == '-' || c == ':'; }),
            iso.end());
  return std::string(kPrefix) + iso + "." + extension;
}

std::optional<std::int64_t> ParseBackupFileName(const std::string& name) {
  // complaints-YYYYmmddTHHMMSSZ.<ext>
  if (!name.starts_with(kPrefix) || name.size() < kPrefix.size() + 16 + 2) return std::nullopt;
  const std::string stamp = name.substr(kPrefix.size(), 16);
  if (stamp[8] != 'T' || stamp[15] != 'Z' || name[kPrefix.size() + 16] != '.') return std::nullopt;
  if (name.ends_with(".partial")) return std::nullopt;
  for (int i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14}) {
    if (stamp[i] < '0' || stamp[i] > '9') return std::nullopt;
  }
  const std::string iso = stamp.substr(0, 4) + "-" + stamp.substr(4, 2) + "-" + stamp.substr(6, 2) +
                          "T" + stamp.substr(9, 2) + ":" + stamp.substr(11, 2) + ":" +
                          stamp.substr(13, 2) + "Z";
  auto t = ParseIso8601(iso);
  if (!t.ok()) return std::nullopt;
  return *t;
}

std::vector<std::string> SelectBackupsToDelete(const std::vector<std::string>& names,
                                               int keep_hourly, int keep_daily) {
  std::vector<std::pair<std::int64_t, std::string>> dated;
  for (const std::string& n : names) {
    if (auto t = ParseBackupFileName(n)) dated.emplace_back(*t, n);
  }
  std::sort(dated.begin(), dated.end(), std::greater<>());  // newest first
  std::set<std::string> keep;
  // The newest backup of each bucket, for the `limit` most recent buckets.
  auto keep_buckets = [&](std::int64_t bucket_seconds, int limit) {
    std::set<std::int64_t> buckets;
    for (const auto& [t, n] : dated) {
      const std::int64_t b = t / bucket_seconds;
      if (buckets.contains(b)) continue;
      if (static_cast<int>(buckets.size()) >= limit) break;
      buckets.insert(b);
      keep.insert(n);
    }
  };
  keep_buckets(3600, keep_hourly);
  keep_buckets(86400, keep_daily);
  std::vector<std::string> doomed;
  for (const auto& [t, n] : dated) {
    if (!keep.contains(n)) doomed.push_back(n);
  }
  return doomed;
}

Result<std::vector<std::string>> ApplyBackupRetention(const std::string& dir, int keep_hourly,
                                                      int keep_daily) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
  }
  if (ec) return Status::Unavailable("listing " + dir + ": " + ec.message());
  std::vector<std::string> doomed = SelectBackupsToDelete(names, keep_hourly, keep_daily);
  for (const std::string& n : doomed) {
    fs::remove(fs::path(dir) / n, ec);
    if (ec) return Status::Unavailable("deleting backup " + n + ": " + ec.message());
  }
  return doomed;
}

Result<std::string> RunBackup(const BackupOptions& o, const Clock& clock, JobContext& ctx) {
  const fs::path dir = fs::path(o.data_dir) / "backups";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("creating " + dir.string() + ": " + ec.message());
  const bool sqlite = o.database_url.starts_with("sqlite:");
  const bool postgres =
      o.database_url.starts_with("postgresql://") || o.database_url.starts_with("postgres://");
  if (!sqlite && !postgres) {
    return Status::InvalidArgument("backup: unsupported database_url scheme");
  }
  const fs::path target = dir / BackupFileName(clock.NowSeconds(), sqlite ? "db" : "dump");
  const fs::path partial = target.string() + ".partial";
  fs::remove(partial, ec);
  // Removes the partial file on every early return.
  std::unique_ptr<const fs::path, void (*)(const fs::path*)> cleanup(&partial, [](const fs::path* p) {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      fs::remove(p->string() + suffix, ignored);
    }
  });
  std::string verified;
  if (sqlite) {
    CT_RETURN_IF_ERROR(BackupSqlite(o.database_url.substr(7), partial.string(), ctx));
    ctx.Progress(0, 0, "verifying the copy");
    CT_ASSIGN_OR_RETURN(verified, IntegrityCheck(partial.string()));
    if (verified != "ok") {
      return Status::DataLoss("integrity_check of the backup copy failed: " + verified);
    }
  } else {
    CT_ASSIGN_OR_RETURN(std::string pg_dump, FindPgTool("pg_dump"));
    CT_ASSIGN_OR_RETURN(std::string pg_restore, FindPgTool("pg_restore"));
    ctx.Progress(0, 2, "pg_dump");
    CT_RETURN_IF_ERROR(RunTool({pg_dump, "-Fc", "-f", partial.string(), "-d", o.database_url},
                               o.tool_timeout_s, ctx));
    ctx.Progress(1, 2, "pg_restore --list");
    CT_RETURN_IF_ERROR(RunTool({pg_restore, "--list", partial.string()}, o.tool_timeout_s, ctx));
    ctx.Progress(2, 2, "verified");
    verified = "pg_restore --list ok";
  }
  fs::rename(partial, target, ec);
  if (ec) return Status::Unavailable("renaming the backup into place: " + ec.message());
  const auto bytes = fs::file_size(target, ec);
  CT_ASSIGN_OR_RETURN(std::vector<std::string> deleted,
                      ApplyBackupRetention(dir.string(), o.keep_hourly, o.keep_daily));
  nlohmann::json result{{"path", target.string()},
                        {"bytes", ec ? 0 : bytes},
                        {"verified", verified},
                        {"deleted", deleted}};
  return result.dump();
}

Result<std::string> FindPgTool(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  // Debian installs the PostgreSQL client tools per version.
  dirs += ":/usr/lib/postgresql/17/bin:/usr/lib/postgresql/16/bin:/usr/lib/postgresql/15/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    fs::path candidate = fs::path(dirs.substr(start, end - start)) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return Status::FailedPrecondition(name + " not found in PATH (apt-get install postgresql-client)");
}

}  // namespace ct
