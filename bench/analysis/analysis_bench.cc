// analysis_bench: (1) accuracy of the Analyzer on tests/fixtures/analysis/eval.jsonl —
// precision, recall and F1 per label and per language for complaint, product and sentiment,
// plus language identification; (2) single-thread throughput (posts per CPU second, median of
// runs) of
// the whole Analyzer and of the English VADER scorer alone, on the same texts.
// usage: analysis_bench --eval FILE [--runs 5] [--min-seconds 1] [--json OUT] [--dump OUT]
// --dump writes every post's whole verdict (id, language, scores, labels, evidence), one line
// each: diffing two dumps shows whether a change (e.g. an optimisation) changed any result.
#include <algorithm>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "analysis/analyzer.h"
#include "analysis/embedded_data.h"
#include "analysis/language_detector.h"
#include "analysis/vader.h"

namespace {

using Json = nlohmann::json;

struct Item {
  std::string id;
  std::string lang;
  ct::Post post;
  bool complaint = false;
  std::string product;  // "" = none
  std::string sentiment;
};

struct Counts {
  int tp = 0, fp = 0, fn = 0, support = 0;
  Json ToJson() const {
    const double p = tp + fp ? static_cast<double>(tp) / (tp + fp) : 0;
    const double r = tp + fn ? static_cast<double>(tp) / (tp + fn) : 0;
    const double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
    return {{"precision", p}, {"recall", r}, {"f1", f}, {"support", support}, {"tp", tp},
            {"fp", fp}, {"fn", fn}};
  }
};

// One-vs-rest counts for every label of a classification.
void Tally(std::map<std::string, Counts>* table, const std::string& truth, const std::string& guess) {
  (*table)[truth].support += 1;
  if (truth == guess) {
    (*table)[truth].tp += 1;
  } else {
    (*table)[guess].fp += 1;
    (*table)[truth].fn += 1;
  }
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// CPU seconds used by this process: on a shared machine, wall time measures the neighbours.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Posts per CPU second, each run lasting at least `min_seconds` of CPU time.
template <typename Fn>
Json Throughput(const std::vector<Item>& items, int runs, double min_seconds, Fn fn) {
  std::vector<double> rates;
  volatile double sink = 0;
  for (int r = 0; r < runs; ++r) {
    std::size_t done = 0;
    const double start = CpuSeconds();
    double elapsed = 0;
    do {
      for (const Item& it : items) sink = sink + fn(it);
      done += items.size();
      elapsed = CpuSeconds() - start;
    } while (elapsed < min_seconds);
    rates.push_back(static_cast<double>(done) / elapsed);
  }
  return {{"runs", rates}, {"median_posts_per_s", Median(rates)}};
}

}  // namespace

int main(int argc, char** argv) {
  std::string eval_path, json_out, dump_out;
  bool analyzer_only = false;  // --analyzer-only 1: skip the VADER-only and CLD2-only timings
  int runs = 5;
  double min_seconds = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--eval") eval_path = argv[i + 1];
    else if (flag == "--json") json_out = argv[i + 1];
    else if (flag == "--dump") dump_out = argv[i + 1];
    else if (flag == "--runs") runs = std::stoi(argv[i + 1]);
    else if (flag == "--min-seconds") min_seconds = std::stod(argv[i + 1]);
    else if (flag == "--analyzer-only") analyzer_only = std::string(argv[i + 1]) == "1";
  }
  if (eval_path.empty()) {
    std::cerr << "usage: analysis_bench --eval FILE [--runs N] [--min-seconds S] [--json OUT]\n";
    return 2;
  }
  std::ifstream in(eval_path);
  std::vector<Item> items;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const Json j = Json::parse(line);
    Item it;
    it.id = j["id"];
    it.lang = j["lang"];
    it.post.source = j.value("source", "");
    it.post.content = j["content"];
    if (j.contains("rating") && j["rating"].is_number()) it.post.rating = j["rating"].get<double>();
    if (j.contains("metadata")) it.post.metadata_json = j["metadata"].dump();
    it.complaint = j["label"]["complaint"];
    it.product = j["label"]["product"].is_string() ? j["label"]["product"].get<std::string>() : "";
    it.sentiment = j["label"]["sentiment"];
    items.push_back(std::move(it));
  }
  auto taxonomy = ct::Taxonomy::Embedded();
  auto analyzer = ct::Analyzer::Create(ct::AnalyzerOptions{}, std::move(taxonomy).value());
  if (!analyzer.ok()) {
    std::cerr << analyzer.status().ToString() << "\n";
    return 1;
  }

  // Accuracy.
  std::map<std::string, std::map<std::string, Counts>> complaint, product, sentiment;
  std::map<std::string, int> lang_total, lang_right;
  Json errors = Json::array();
  std::ofstream dump;
  if (!dump_out.empty()) dump.open(dump_out);
  for (const Item& it : items) {
    const ct::Analysis a = (*analyzer)->Analyze(it.post);
    if (dump.is_open()) {
      dump << it.id << '\t' << a.language << '\t' << a.language_confidence << '\t'
           << a.sentiment_score << '\t' << a.sentiment_label << '\t' << a.is_complaint << '\t'
           << a.complaint_score << '\t' << a.product << '\t' << a.country << '\t'
           << a.relevance_score << '\t' << a.relevant << '\t' << a.evidence_json << '\n';
    }
    for (const std::string& scope : {it.lang, std::string("all")}) {
      Tally(&complaint[scope], it.complaint ? "complaint" : "not_complaint",
            a.is_complaint ? "complaint" : "not_complaint");
      Tally(&product[scope], it.product.empty() ? "(none)" : it.product,
            a.product.empty() ? "(none)" : a.product);
      Tally(&sentiment[scope], it.sentiment, a.sentiment_label);
      lang_total[scope] += 1;
      lang_right[scope] += a.language == it.lang ? 1 : 0;
    }
    if (a.is_complaint != it.complaint) {
      errors.push_back({{"id", it.id}, {"truth", it.complaint}, {"score", a.complaint_score},
                        {"text", it.post.content}});
    }
  }
  Json accuracy = Json::object();
  for (const auto& [scope, table] : complaint) {
    Json s;
    s["posts"] = lang_total[scope];
    s["language_accuracy"] = static_cast<double>(lang_right[scope]) / lang_total[scope];
    s["complaint"] = table.at("complaint").ToJson();
    for (const auto& [label, c] : product.at(scope)) s["product"][label] = c.ToJson();
    for (const auto& [label, c] : sentiment.at(scope)) s["sentiment"][label] = c.ToJson();
    int right = 0;
    for (const auto& [label, c] : product.at(scope)) right += c.tp;
    s["product_accuracy"] = static_cast<double>(right) / lang_total[scope];
    right = 0;
    for (const auto& [label, c] : sentiment.at(scope)) right += c.tp;
    s["sentiment_accuracy"] = static_cast<double>(right) / lang_total[scope];
    accuracy[scope] = std::move(s);
  }

  // Throughput, single thread.
  auto lexicon = ct::SentimentLexicon::ParseVader(ct::EmbeddedFile("vader_lexicon.txt"));
  const ct::VaderScorer vader(&*lexicon);
  ct::Analyzer& an = **analyzer;
  Json perf;
  perf["analyzer"] = Throughput(items, runs, min_seconds,
                                [&](const Item& it) { return an.Analyze(it.post).complaint_score; });
  if (!analyzer_only) perf["vader_only"] = Throughput(items, runs, min_seconds,
                                  [&](const Item& it) { return vader.Score(it.post.content).compound; });
  const ct::LanguageDetector detector;
  if (!analyzer_only) perf["language_only"] = Throughput(items, runs, min_seconds,
                                     [&](const Item& it) { return detector.Detect(it.post.content).confidence; });
  std::size_t bytes = 0;
  for (const Item& it : items) bytes += it.post.content.size();
  perf["texts"] = items.size();
  perf["mean_bytes"] = static_cast<double>(bytes) / items.size();

  const Json out = {{"accuracy", accuracy}, {"throughput", perf}, {"complaint_errors", errors}};
  if (!json_out.empty()) {
    std::ofstream(json_out) << out.dump(2) << "\n";
  }
  std::cout << "complaint F1: en " << accuracy["en"]["complaint"]["f1"] << ", fr "
            << accuracy["fr"]["complaint"]["f1"] << "; analyzer "
            << perf["analyzer"]["median_posts_per_s"] << " posts/s, vader-only "
            << perf["vader_only"]["median_posts_per_s"] << " posts/s, language-only "
            << perf["language_only"]["median_posts_per_s"] << " posts/s\n";
  return 0;
}
