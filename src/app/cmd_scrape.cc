// complaints scrape SOURCE [--query Q] [--limit N] [--dry-run]: one scrape of a configured
// source, in this process — the same code as the `scrape` job (ScrapeSession). Prints one line
// per query on stderr and the summed result as JSON on stdout; with --dry-run nothing is stored
// (neither posts nor cursors) and the posts found are printed as JSON lines on stdout, the
// summary going to stderr. SIGINT / SIGTERM cancel the scrape: waits end, a browser page being
// loaded is abandoned and its process group killed, and the command fails with "cancelled".
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "app/app_context.h"
#include "app/commands.h"
#include "app/signals.h"
#include "domain/post_json.h"
#include "jobs/process_group.h"
#include "sources/scrape_session.h"

namespace ct {
namespace {

struct ScrapeOptions {
  std::string source;
  std::string query;
  int limit = 0;
  bool dry_run = false;
};

void RunScrapeCommand(const GlobalOptions& global, const ScrapeOptions& o) {
  BlockTerminationSignals();  // before any thread starts: they inherit the mask
  static std::atomic<bool> cancelled{false};
  std::thread([] {
    WaitForTerminationSignal();
    cancelled = true;
  }).detach();
  const AppConfig config = LoadAppConfig(global, "scrape");
  SystemClock clock;
  (void)BecomeChildSubreaper();  // a g2 scrape's Chromium processes are reaped by us
  ScrapeSessionOptions so;
  so.open_store = !o.dry_run;
  so.cancelled = [] { return cancelled.load(); };
  so.sleep = [](std::int64_t ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < end) {
      if (cancelled) return Status::Aborted("cancelled while waiting to fetch");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Status::Ok();
  };
  auto session = ScrapeSession::Open(config, ProcessEnvironment(), clock, so);
  if (!session.ok()) Fail(session.status(), "scrape");
  auto source = (*session)->FindSource(o.source);
  if (!source.ok()) Fail(source.status(), "scrape", 2);
  std::optional<std::string> query;
  if (!o.query.empty()) query = o.query;
  ScrapeHooks hooks;
  hooks.dry_run = o.dry_run;
  hooks.cancelled = so.cancelled;
  hooks.limit = o.limit;
  hooks.progress = [](const ScrapeProgress& p) {
    std::cerr << "  " << p.message << " (" << p.items << " items)\n";
  };
  FetchTrace trace;
  auto r = (*session)->ScrapeSource(**source, (*session)->QueriesOf(**source, query), hooks, &trace);
  if (!r.ok()) {
    std::string context = "scrape";
    if (trace.retry_after_ms) context += " (retry after " + std::to_string(*trace.retry_after_ms / 1000) + " s)";
    Fail(r.status(), context);
  }
  for (const ScrapeResult& run : r->runs) {
    std::cerr << r->source << " '" << run.query << "': " << run.pages << " pages, " << run.fetched
              << " fetched, " << run.inserted << " new, " << run.updated << " updated, "
              << run.duplicates << " duplicates" << (run.not_modified ? ", not modified" : "")
              << (run.fallback.empty() ? "" : ", via fallback " + run.fallback) << '\n';
  }
  if (o.dry_run) {
    std::string line;
    for (const Post& p : r->total.posts) {
      line.clear();
      AppendPostJson(p, line);
      std::cout << line << '\n';
    }
    std::cerr << r->ToJson() << '\n';
  } else {
    std::cout << r->ToJson() << '\n';
  }
}

}  // namespace

void AddScrapeCommand(CLI::App& root, const GlobalOptions& global) {
  auto o = std::make_shared<ScrapeOptions>();
  CLI::App* cmd = root.add_subcommand("scrape", "Scrape one configured source now, in this process");
  cmd->add_option("SOURCE", o->source, "Configured source name ([sources.NAME])")->required();
  cmd->add_option("--query", o->query, "Only this query (default: the source's queries)");
  cmd->add_option("--limit", o->limit, "Stop after this many items")->check(CLI::Range(0, 100000));
  cmd->add_flag("--dry-run", o->dry_run, "Store nothing; print the posts as JSON lines");
  cmd->callback([&global, o] { RunScrapeCommand(global, *o); });
}

}  // namespace ct
