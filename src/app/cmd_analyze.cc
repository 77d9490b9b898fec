// complaints analyze [--text T | FILE]: analyses one text, a text file, or JSON-lines posts,
// and prints each verdict with its evidence as one JSON object per line.
//   FILE ending in .jsonl / .json: one post per line, fields read: title, content, rating,
//   source, metadata (object); anything else is one plain-text post. '-' reads stdin.
// Uses the [company] section of the config (brand terms, domains, relevance threshold, and
// company.taxonomy, else the taxonomy compiled into the binary); --taxonomy PATH overrides it.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/analyzer.h"
#include "analysis/analyzer_factory.h"
#include "app/app_context.h"
#include "app/commands.h"

namespace ct {
namespace {

struct AnalyzeOptions {
  std::string text;
  std::string title;
  std::string file;
  std::string taxonomy_path;
  std::string metadata = "{}";
  std::optional<double> rating;
  bool pretty = false;
};

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Render(const Analysis& a, bool pretty) {
  nlohmann::json j = {{"language", a.language},
                      {"language_confidence", a.language_confidence},
                      {"sentiment_score", a.sentiment_score},
                      {"sentiment_label", a.sentiment_label},
                      {"is_complaint", a.is_complaint},
                      {"complaint_score", a.complaint_score},
                      {"product", a.product.empty() ? nlohmann::json() : nlohmann::json(a.product)},
                      {"country", a.country.empty() ? nlohmann::json() : nlohmann::json(a.country)},
                      {"relevance_score", a.relevance_score},
                      {"relevant", a.relevant},
                      {"evidence", nlohmann::json::parse(a.evidence_json, nullptr, false)}};
  return j.dump(pretty ? 2 : -1);
}

Result<Post> PostFromJsonLine(const std::string& line) {
  const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("not a JSON object");
  Post p;
  const auto str = [&](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  p.title = str("title");
  p.content = str("content");
  p.source = str("source");
  if (const auto it = j.find("rating"); it != j.end() && it->is_number()) p.rating = it->get<double>();
  if (const auto it = j.find("metadata"); it != j.end() && it->is_object()) p.metadata_json = it->dump();
  if (p.title.empty() && p.content.empty()) return Status::InvalidArgument("no title nor content");
  return p;
}

void RunAnalyze(const GlobalOptions& global, const AnalyzeOptions& o) {
  const AppConfig config = LoadAppConfig(global, "analyze");
  if (o.text.empty() == o.file.empty()) {
    Fail(Status::InvalidArgument("give either --text or a FILE"), "analyze", 2);
  }
  auto analyzer = AnalyzerForCompany(config.company, o.taxonomy_path);
  if (!analyzer.ok()) Fail(analyzer.status(), "analyze");

  const auto analyze_one = [&](Post post) {
    if (o.rating) post.rating = o.rating;
    if (o.metadata != "{}") post.metadata_json = o.metadata;
    if (!o.title.empty()) post.title = o.title;
    std::cout << Render((*analyzer)->Analyze(post), o.pretty) << "\n";
  };
  if (!o.text.empty()) {
    Post post;
    post.content = o.text;
    analyze_one(std::move(post));
    return;
  }
  std::ifstream file_in;
  std::istream* in = &std::cin;
  if (o.file != "-") {
    file_in.open(o.file, std::ios::binary);
    if (!file_in) Fail(Status::NotFound("cannot open '" + o.file + "'"), "analyze");
    in = &file_in;
  }
  if (!EndsWith(o.file, ".jsonl") && !EndsWith(o.file, ".json")) {
    std::ostringstream text;
    text << in->rdbuf();
    Post post;
    post.content = text.str();
    analyze_one(std::move(post));
    return;
  }
  std::string line;
  std::int64_t line_no = 0, bad = 0;
  while (std::getline(*in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto post = PostFromJsonLine(line);
    if (!post.ok()) {
      ++bad;
      std::cerr << "line " << line_no << ": " << post.status().message() << "\n";
      continue;
    }
    analyze_one(std::move(post).value());
  }
  if (bad > 0) throw CommandFailed{1};
}

}  // namespace

void AddAnalyzeCommand(CLI::App& root, const GlobalOptions& global) {
  auto opts = std::make_shared<AnalyzeOptions>();
  CLI::App* cmd = root.add_subcommand(
      "analyze", "Analyse a text or posts and print each verdict with its evidence as JSON");
  cmd->add_option("--text", opts->text, "The text to analyse");
  cmd->add_option("file", opts->file,
                  "A text file, or .jsonl/.json posts (title, content, rating, source, metadata); "
                  "'-' = stdin");
  cmd->add_option("--title", opts->title, "Title of the post (analysed with the text)");
  cmd->add_option("--rating", opts->rating, "Star rating given by the source (1..5)")
      ->check(CLI::Range(0.0, 5.0));
  cmd->add_option("--metadata", opts->metadata,
                  "Source metadata as a JSON object, e.g. '{\"reviewer_country\":\"BE\"}'");
  cmd->add_option("--taxonomy", opts->taxonomy_path,
                  "Taxonomy TOML to use instead of company.taxonomy or the built-in one");
  cmd->add_flag("--pretty", opts->pretty, "Indent the JSON");
  cmd->callback([&global, opts] { RunAnalyze(global, *opts); });
}

}  // namespace ct
