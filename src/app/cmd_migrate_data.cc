// complaints migrate-data --from sqlite:PATH|postgresql://(predecessor) --to postgresql://...
// Backs the source up, creates the schema on the target, copies posts, tokens and job history
// in one transaction, verifies counts and a sample checksum per table, and commits only when
// everything matches (tools/migrate_data.h). Safe to run again.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "app/app_context.h"
#include "app/commands.h"
#include "app/progress_bar.h"
#include "tools/migrate_data.h"

namespace ct {
namespace {

struct MigrateFlags {
  std::string from;
  std::string to;
  bool no_backup = false;
  int batch_rows = 5000;
  int sample_rows = 1000;
};

void RunMigrateData(const GlobalOptions& global, const MigrateFlags& f) {
  const AppConfig config = LoadAppConfig(global, "migrate-data");
  MigrateOptions o;
  o.from_url = f.from.empty() ? config.store.database_url : f.from;
  o.to_url = f.to;
  o.data_dir = config.data_dir;
  o.backup_source = !f.no_backup;
  o.batch_rows = f.batch_rows;
  o.sample_rows = f.sample_rows;
  const bool tty = isatty(STDERR_FILENO) == 1;
  std::unique_ptr<ProgressBar> bar;
  std::string step;
  auto progress = [&](std::int64_t done, std::int64_t total, const std::string& what) {
    if (what != step && !what.starts_with("copying")) {
      if (bar) bar->Finish();
      bar.reset();
      std::fprintf(stderr, "migrate-data: %s\n", what.c_str());
    }
    step = what;
    if (what.starts_with("copying")) {
      if (!bar) bar = std::make_unique<ProgressBar>(total, tty);
      bar->Update(done, done);
    }
  };
  SystemClock clock;
  auto report = MigrateData(o, clock, progress);
  if (bar) bar->Finish();
  if (!report.ok()) Fail(report.status(), "migrate-data");
  if (!report->backup_path.empty()) std::printf("source backed up to %s\n", report->backup_path.c_str());
  std::printf("%-18s %12s %12s %8s  %s\n", "table", "source", "target", "sampled", "checksum");
  for (const TableCheck& t : report->tables) {
    std::printf("%-18s %12lld %12lld %8lld  %016llx\n", t.table.c_str(),
                static_cast<long long>(t.source_rows), static_cast<long long>(t.target_rows),
                static_cast<long long>(t.sampled),
                static_cast<unsigned long long>(t.sample_checksum));
  }
  for (const std::string& n : report->notes) std::printf("note: %s\n", n.c_str());
  std::printf("migrated from %s: verified and committed\n", report->source_kind.c_str());
}

}  // namespace

void AddMigrateDataCommand(CLI::App& root, const GlobalOptions& global) {
  auto f = std::make_shared<MigrateFlags>();
  CLI::App* cmd = root.add_subcommand(
      "migrate-data", "Copy the data into PostgreSQL: backup, verified, all or nothing");
  cmd->add_option("--from", f->from,
                  "sqlite:PATH, or the predecessor's postgresql://... (default DATABASE_URL)");
  cmd->add_option("--to", f->to, "postgresql://... target")->required();
  cmd->add_flag("--no-backup", f->no_backup, "Do not back the source up first");
  cmd->add_option("--batch-rows", f->batch_rows, "Rows per COPY")
      ->check(CLI::Range(100, 1'000'000))
      ->capture_default_str();
  cmd->add_option("--sample-rows", f->sample_rows, "Rows per table compared column by column")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  cmd->callback([&global, f] { RunMigrateData(global, *f); });
}

}  // namespace ct
