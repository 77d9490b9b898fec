// complaints import FILE.jsonl: loads posts, one JSON object per line, with the same matching as
// scrapes, in one transaction (the store's bulk path). Bad lines are reported by number and
// skipped; good lines are all loaded.
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

  // Lines are parsed batch by batch as the store asks for them; the store writes every batch
  // in one transaction (Store::BulkUpsertPosts), so a failure or a crash stores nothing.
  std::int64_t line_no = 0, bad = 0, read_bytes = 0, loaded = 0;
  const std::int64_t now = clock.NowSeconds();
  std::string line;
  auto next_batch = [&]() -> Result<std::vector<Post>> {
    bar.Update(read_bytes, loaded);
    std::vector<Post> batch;
    batch.reserve(o.batch_size);
    while (static_cast<int>(batch.size()) < o.batch_size && std::getline(*in, line)) {
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
    }
    if (in->bad())
      return Status::Internal("reading '" + o.file + "' failed at line " +
                              std::to_string(line_no + 1));
    loaded += static_cast<std::int64_t>(batch.size());
    return batch;
  };
  auto result = store->BulkUpsertPosts(next_batch);
  if (!result.ok()) {
    bar.Finish();
    Fail(result.status(), "import: stopped near line " + std::to_string(line_no) +
                              "; nothing was stored (the import is one transaction), and "
                              "re-running it is safe");
  }
  const UpsertSummary sum = *result;
  bar.Update(read_bytes, loaded);
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
  cmd->add_option("--batch-size", opts->batch_size,
                  "Posts per batch (the whole file is one transaction)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--max-errors-shown", opts->max_errors_shown,
                  "Bad lines printed individually (all are counted)")
      ->capture_default_str();
  cmd->callback([&global, opts] { RunImport(global, *opts); });
}

}  // namespace ct
