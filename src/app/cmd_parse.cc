// complaints parse --kind KIND FILE: prints, as JSON lines, the posts an adapter extracts from a
// saved page or feed (no network). Useful to check a fixture, to see what a changed page now
// yields, or to write the selectors of an html source (--source names a configured one: its
// base_url, site, format and selectors are used). A page that no longer has the expected
// structure fails with the adapter's "parse drift" message (exit 1).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "analysis/analyzer.h"
#include "analysis/analyzer_factory.h"
#include "app/app_context.h"
#include "app/commands.h"
#include "domain/post_json.h"
#include "sources/source_registry.h"
#include "sources/source_spec.h"

namespace ct {
namespace {

struct ParseOptions {
  std::string kind;
  std::string file;
  std::string source;  // a configured source whose settings to use
  std::string query;
  std::string base_url;
  bool analyze = false;
};

void RunParse(const GlobalOptions& global, const ParseOptions& o) {
  const AppConfig config = LoadAppConfig(global, "parse");
  const SourceRegistry registry = SourceRegistry::Builtin();
  SourceSpec spec;
  spec.name = o.kind;
  spec.kind = o.kind;
  if (!o.source.empty()) {
    const SourceConfig* found = nullptr;
    for (const SourceConfig& s : config.sources)
      if (s.name == o.source) found = &s;
    if (!found) Fail(Status::InvalidArgument("unknown source '" + o.source + "'"), "parse", 2);
    spec = SourceSpecFromConfig(*found, ProcessEnvironment());
    if (o.kind.empty()) spec.kind = found->kind;
  }
  if (spec.kind.empty()) Fail(Status::InvalidArgument("give --kind or --source"), "parse", 2);
  const SourceAdapter* adapter = registry.Find(spec.kind);
  if (!adapter) {
    std::string known;
    for (const std::string& k : registry.Kinds()) known += (known.empty() ? "" : ", ") + k;
    Fail(Status::InvalidArgument("unknown kind '" + spec.kind + "' (known: " + known + ")"), "parse",
         2);
  }
  if (!o.base_url.empty()) spec.base_url = o.base_url;
  if (spec.base_url.empty() && (spec.kind == "rss" || spec.kind == "html" || spec.kind == "discourse"))
    spec.base_url = "https://example.invalid/";  // only names the request; nothing is fetched

  std::ifstream in(o.file, std::ios::binary);
  if (!in) Fail(Status::NotFound("cannot open '" + o.file + "'"), "parse");
  std::stringstream body;
  body << in.rdbuf();

  ParseContext ctx;
  ctx.spec = &spec;
  ctx.query = o.query.empty() ? adapter->DefaultQuery() : o.query;
  auto first = adapter->FirstRequests(spec, ctx.query, std::nullopt);
  if (!first.ok()) Fail(first.status(), "parse");
  if (!first->empty()) ctx.request = first->front();
  SystemClock clock;
  ctx.collected_at = clock.NowSeconds();
  auto page = adapter->Parse(ctx, body.str());
  if (!page.ok()) Fail(page.status(), "parse " + o.file);

  std::unique_ptr<Analyzer> analyzer;
  if (o.analyze) {
    auto a = AnalyzerForCompany(config.company);
    if (!a.ok()) Fail(a.status(), "parse");
    analyzer = std::move(a).value();
  }
  std::string line;
  for (Post& p : page->posts) {
    if (analyzer) Analyzer::Apply(analyzer->Analyze(p), &p);
    line.clear();
    AppendPostJson(p, line);
    std::cout << line << '\n';
  }
  std::cerr << page->posts.size() << " posts";
  if (page->next) std::cerr << "; next page: " << page->next->url;
  std::cerr << '\n';
}

}  // namespace

void AddParseCommand(CLI::App& root, const GlobalOptions& global) {
  auto o = std::make_shared<ParseOptions>();
  CLI::App* cmd = root.add_subcommand(
      "parse", "Print, as JSON lines, the posts an adapter extracts from a saved page or feed");
  cmd->add_option("FILE", o->file, "Saved response body")->required()->check(CLI::ExistingFile);
  cmd->add_option("--kind", o->kind, "Adapter kind (hackernews, reddit, rss, html, ...)");
  cmd->add_option("--source", o->source, "Use this configured source's settings (selectors...)");
  cmd->add_option("--query", o->query, "The query the page answered (default: the kind's)");
  cmd->add_option("--base-url", o->base_url, "Base URL (resolves relative links)");
  cmd->add_flag("--analyze", o->analyze, "Also run the analysis on each post");
  cmd->callback([&global, o] { RunParse(global, *o); });
}

}  // namespace ct
