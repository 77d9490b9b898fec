// complaints import FILE.jsonl: loads posts, one JSON object per line, through the same upsert
// as scrapes. Bad lines are reported by number and skipped; good lines are all loaded.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "app/app_context.h"
#include "app/commands.h"
#include "app/progress_bar.h"
#include "domain/post_json.h"
#include "store/store.h"

namespace ct {
namespace {

struct ImportOptions {
  std::string file;
  int batch_size = 1000;
  int max_errors_shown = 100;
};

void RunImport(const GlobalOptions& global, const ImportOptions& o) {
  const AppConfig config = LoadAppConfig(global, "import");
  std::ifstream file_in;
  std::istream* in = &std::cin;
  std::int64_t total_bytes = 0;
  if (o.file != "-") {
    file_in.open(o.file, std::ios::binary | std::ios::ate);
    if (!file_in) Fail(Status::NotFound("cannot open '" + o.file + "'"), "import");
    total_bytes = file_in.tellg();
    file_in.seekg(0);
    in = &file_in;
  }
  SystemClock clock;
  auto store = OpenStoreOrFail(config, clock);
  ProgressBar bar(total_bytes, isatty(STDERR_FILENO) == 1);

  UpsertSummary sum;
  std::int64_t line_no = 0, bad = 0, read_bytes = 0;
  std::vector<Post> batch;
  batch.reserve(o.batch_size);
  auto flush = [&] {
    if (batch.empty()) return;
    auto r = store->UpsertPosts(batch);
    if (!r.ok()) {
      bar.Finish();
      Fail(r.status(), "import: storing the batch ending at line " + std::to_string(line_no) +
                           " (earlier batches are stored; re-running the import is safe)");
    }
    sum += *r;
    batch.clear();
  };
  const std::int64_t now = clock.NowSeconds();
  std::string line;
  while (std::getline(*in, line)) {
    ++line_no;
    read_bytes += static_cast<std::int64_t>(line.size()) + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto post = ParsePostJson(line);
    if (!post.ok()) {
      if (++bad <= o.max_errors_shown) {
        bar.Clear();
        std::fprintf(stderr, "line %lld: %s\n", static_cast<long long>(line_no),
                     post.status().message().c_str());
      }
      continue;
    }
    if (post->collected_at == 0) post->collected_at = now;
    batch.push_back(*std::move(post));
    if (static_cast<int>(batch.size()) >= o.batch_size) {
      flush();
      bar.Update(read_bytes, sum.inserted + sum.updated + sum.unchanged);
    }
  }
  flush();
  bar.Update(read_bytes, sum.inserted + sum.updated + sum.unchanged);
  bar.Finish();
  if (bad > o.max_errors_shown)
    std::fprintf(stderr, "... and %lld more bad lines\n",
                 static_cast<long long>(bad - o.max_errors_shown));
  std::printf("imported %s: %lld inserted, %lld updated, %lld unchanged, %lld bad lines\n",
              o.file.c_str(), static_cast<long long>(sum.inserted),
              static_cast<long long>(sum.updated), static_cast<long long>(sum.unchanged),
              static_cast<long long>(bad));
  if (bad > 0) throw CommandFailed{1};
}

}  // namespace

void AddImportCommand(CLI::App& root, const GlobalOptions& global) {
  auto opts = std::make_shared<ImportOptions>();
  CLI::App* cmd = root.add_subcommand("import", "Import posts from a JSON-lines file ('-' = stdin)");
  cmd->add_option("file", opts->file, "JSONL file, one post per line")->required();
  cmd->add_option("--batch-size", opts->batch_size, "Posts per transaction")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--max-errors-shown", opts->max_errors_shown,
                  "Bad lines printed individually (all are counted)")
      ->capture_default_str();
  cmd->callback([&global, opts] { RunImport(global, *opts); });
}

}  // namespace ct
