// Analyzer: gives a post its language, sentiment, complaint verdict and score, product,
// country and relevance, each with the evidence (the terms that matched) as a JSON object.
//
//   language   CLD2 (LanguageDetector); "und" when too short or too mixed
//   sentiment  VADER (English, agrees with vader-sentiment 1.1.3) or the French adaptation
//   complaint  taxonomy signals (Snowball stems, whole words) + low star rating (a strong
//              signal, never overwritten by text) + negative text sentiment
//   product    taxonomy products, most matched terms wins, ties by taxonomy order
//   relevance  brand terms, company domains, product terms, source metadata; brand inside a
//              competitor list or followed by "file"/"format" is discounted
//   country    source metadata (reviewer country...), then place names, then language
//
// Evidence JSON (Analysis::evidence_json), one key per verdict:
//   {"language":{...}, "sentiment":{...}, "complaint":{...}, "product":{...},
//    "relevance":{...}, "country":{...}}        (see docs/analysis.md for every field)
//
// Thread safety: Analyze() is not thread-safe (Snowball stemmers keep state); use one
// Analyzer per thread. Creating one parses the embedded lexicons (a few milliseconds).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analysis/language_detector.h"
#include "analysis/taxonomy.h"
#include "core/status.h"
#include "domain/post.h"

namespace ct {

struct AnalyzerOptions {
  std::string company_name = "OVHcloud";
  // Whole-word, case- and accent-insensitive brand names.
  std::vector<std::string> brand_terms = {"ovhcloud", "ovh", "kimsufi", "so you start"};
  // Matched as host names, subdomains included ("www.ovh.com", "help.ovhcloud.com").
  std::vector<std::string> domains = {"ovhcloud.com", "ovh.com", "ovh.net", "ovh.co.uk",
                                      "ovh.ie", "ovh.de", "ovh.es", "ovh.it", "ovh.ca"};
  double relevance_threshold = 0.3;  // from config [company].relevance_threshold
  LanguageDetectorOptions language;
};

struct Analysis {
  std::string language = "und";
  double language_confidence = 0;
  double sentiment_score = 0;
  std::string sentiment_label = "neutral";
  bool is_complaint = false;
  double complaint_score = 0;
  std::string product;
  std::string country;
  double relevance_score = 0;
  bool relevant = false;  // relevance_score >= AnalyzerOptions::relevance_threshold
  std::string evidence_json = "{}";
};

class Analyzer {
 public:
  static Result<std::unique_ptr<Analyzer>> Create(AnalyzerOptions options, Taxonomy taxonomy);
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Reads title, content, rating, source and metadata_json of `post`.
  Analysis Analyze(const Post& post);

  // Copies the verdicts into `post`. Never touches rating, triage or collected fields.
  static void Apply(const Analysis& analysis, Post* post);

  const AnalyzerOptions& options() const;

 private:
  struct Impl;
  explicit Analyzer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "positive" (>= 0.05), "negative" (<= -0.05) or "neutral": VADER's usual cut-offs.
std::string SentimentLabel(double compound);

}  // namespace ct
