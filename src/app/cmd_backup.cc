// complaints backup: a verified backup of the configured database into <data_dir>/backups, then
// retention (the backup job's code: jobs/backup_job.h). complaints backup --list shows them.
// complaints restore FILE --yes: a safety backup of the current database first, then the
// restore (tools/restore.h). Stop the api, workers and scheduler before restoring.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/app_context.h"
#include "app/commands.h"
#include "app/progress_bar.h"
#include "jobs/backup_job.h"
#include "store/store.h"
#include "tools/restore.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

struct BackupFlags {
  int keep_hourly = 24;
  int keep_daily = 30;
  int timeout_s = 3600;
  bool list = false;
};

struct RestoreFlags {
  std::string file;
  bool yes = false;
  bool no_safety_backup = false;
  int timeout_s = 3600;
};

// A JobContext whose progress draws a bar on a terminal (the job code reports pages/steps).
class CliProgress {
 public:
  CliProgress(const std::string& what, const std::atomic<bool>* cancel)
      : ctx_("cli", what, "{}", 1, [this](const JobProgress& p) { Show(p); }, cancel) {}
  JobContext& ctx() { return ctx_; }
  void Finish() {
    if (bar_) bar_->Finish();
  }

 private:
  void Show(const JobProgress& p) {
    if (!bar_ || p.total != total_) {
      if (bar_) bar_->Finish();
      total_ = p.total;
      bar_ = std::make_unique<ProgressBar>(p.total, isatty(STDERR_FILENO) == 1);
    }
    bar_->Update(p.done, p.done);
  }
  JobContext ctx_;
  std::unique_ptr<ProgressBar> bar_;
  std::int64_t total_ = -1;
};

std::string BackupDir(const AppConfig& config) {
  return (fs::path(config.data_dir) / "backups").string();
}

void RunBackupCommand(const GlobalOptions& global, const BackupFlags& f) {
  const AppConfig config = LoadAppConfig(global, "backup");
  if (f.list) {
    auto names = ListBackups(BackupDir(config));
    if (!names.ok()) Fail(names.status(), "backup --list");
    for (const std::string& n : *names) {
      std::error_code ec;
      const auto bytes = fs::file_size(fs::path(BackupDir(config)) / n, ec);
      std::printf("%s\t%llu\n", (fs::path(BackupDir(config)) / n).c_str(),
                  static_cast<unsigned long long>(ec ? 0 : bytes));
    }
    return;
  }
  BackupOptions o;
  o.database_url = config.store.database_url;
  o.data_dir = config.data_dir;
  o.keep_hourly = f.keep_hourly;
  o.keep_daily = f.keep_daily;
  o.tool_timeout_s = f.timeout_s;
  SystemClock clock;
  std::atomic<bool> cancel{false};
  CliProgress progress("backup", &cancel);
  auto result = RunBackup(o, clock, progress.ctx());
  progress.Finish();
  if (!result.ok()) Fail(result.status(), "backup");
  std::printf("%s\n", result->c_str());
}

void RunRestoreCommand(const GlobalOptions& global, const RestoreFlags& f) {
  const AppConfig config = LoadAppConfig(global, "restore");
  if (!f.yes) {
    Fail(Status::FailedPrecondition(
             "this replaces the content of " +
             std::string(config.store.database_url.starts_with("sqlite:")
                             ? config.store.database_url
                             : "the PostgreSQL database") +
             " with " + f.file + "; stop the api, workers and scheduler, then add --yes"),
         "restore", 2);
  }
  SystemClock clock;
  std::atomic<bool> cancel{false};
  const bool exists = !config.store.database_url.starts_with("sqlite:") ||
                      fs::exists(config.store.database_url.substr(7));
  if (!f.no_safety_backup && exists) {
    BackupOptions o;
    o.database_url = config.store.database_url;
    o.data_dir = config.data_dir;
    o.tool_timeout_s = f.timeout_s;
    CliProgress progress("safety backup", &cancel);
    auto safety = RunBackup(o, clock, progress.ctx());
    progress.Finish();
    if (!safety.ok()) {
      Fail(safety.status(), "restore: the safety backup of the current database failed "
                            "(nothing was changed; --no-safety-backup skips it)");
    }
    const auto j = nlohmann::json::parse(*safety, nullptr, false);
    std::fprintf(stderr, "complaints: restore: current database saved to %s\n",
                 j.is_object() ? j.value("path", "?").c_str() : "?");
  }
  RestoreOptions r;
  r.database_url = config.store.database_url;
  r.backup_path = f.file;
  r.tool_timeout_s = f.timeout_s;
  CliProgress progress("restore", &cancel);
  auto result = RestoreBackup(r, progress.ctx());
  progress.Finish();
  if (!result.ok()) Fail(result.status(), "restore");
  // Migrations newer than the backup are applied now, not by the next process to start.
  auto store = OpenStoreOrFail(config, clock);
  std::printf("%s\n", result->c_str());
}

}  // namespace

void AddBackupCommand(CLI::App& root, const GlobalOptions& global) {
  auto f = std::make_shared<BackupFlags>();
  CLI::App* cmd = root.add_subcommand(
      "backup", "Back up the database into <data_dir>/backups (verified), then apply retention");
  cmd->add_option("--keep-hourly", f->keep_hourly, "Hours whose newest backup is kept")
      ->check(CLI::Range(0, 10'000))
      ->capture_default_str();
  cmd->add_option("--keep-daily", f->keep_daily, "Days whose newest backup is kept")
      ->check(CLI::Range(0, 10'000))
      ->capture_default_str();
  cmd->add_option("--timeout", f->timeout_s, "pg_dump deadline, seconds")->capture_default_str();
  cmd->add_flag("--list", f->list, "List the backups (path, bytes), oldest first");
  cmd->callback([&global, f] { RunBackupCommand(global, *f); });

  auto r = std::make_shared<RestoreFlags>();
  CLI::App* restore = root.add_subcommand(
      "restore", "Replace the database's content with a backup (after a safety backup)");
  restore->add_option("file", r->file, "complaints-*.db (SQLite) or complaints-*.dump (PostgreSQL)")
      ->required()
      ->check(CLI::ExistingFile);
  restore->add_flag("--yes", r->yes, "Confirm: the current content is replaced");
  restore->add_flag("--no-safety-backup", r->no_safety_backup,
                    "Do not back up the current database first");
  restore->add_option("--timeout", r->timeout_s, "pg_dump/pg_restore deadline, seconds")
      ->capture_default_str();
  restore->callback([&global, r] { RunRestoreCommand(global, *r); });
}

}  // namespace ct
