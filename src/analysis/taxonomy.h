// Taxonomy: the complaint signals, products, competitor names and place names the analyzer
// matches, with the weights it scores them by. Loaded from TOML (config/taxonomy.toml, which
// is also embedded into the binary). Unknown keys are errors.
// A plain value; not synchronised.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace ct {

struct TaxonomyCategory {
  std::string id;
  std::string label;
  double weight = 1;            // complaint: signal strength in (0, 1]; product: per-term score
  bool negatable = false;       // complaint: ignore a match right after a negation
  std::vector<std::string> en;  // terms, as written (the matcher stems them)
  std::vector<std::string> fr;
};

struct ComplaintScoring {
  double complaint_threshold = 0.5;
  double low_rating_max = 2;
  double low_rating_weight = 0.8;
  double high_rating_min = 4;
  double high_rating_factor = 0.35;
  double negative_sentiment_weight = 0.45;
  double positive_sentiment_factor = 0.5;
  std::vector<std::string> sentiment_neutral_terms;  // left out of the sentiment signal
  // The author says it is not a complaint ("not complaining", "je ne me plains pas"): the
  // score is multiplied by disclaimer_factor. Matched on accent-folded words.
  std::vector<std::string> disclaimers;
  double disclaimer_factor = 0.3;
};

struct RelevanceRules {
  std::vector<std::string> competitors;
  std::vector<std::string> brand_false_positive_before;
  std::vector<std::string> brand_false_positive_after;
  // Words right before the brand that make it a provider the author considers moving to
  // ("looking at OVH"): with a competitor named, the complaint is about someone else.
  std::vector<std::string> prospect_before;
  double brand_weight = 0.75;
  double domain_weight = 0.6;
  double product_weight = 0.1;
  double comparison_factor = 0.3;
  double metadata_relevance = 0.9;
};

struct Taxonomy {
  int version = 1;
  ComplaintScoring scoring;
  std::vector<TaxonomyCategory> complaints;
  std::vector<TaxonomyCategory> products;  // priority order
  RelevanceRules relevance;
  std::vector<std::pair<std::string, std::vector<std::string>>> countries;  // code -> places

  // `origin` names the source in error messages.
  static Result<Taxonomy> Parse(std::string_view toml_text, std::string_view origin);
  static Result<Taxonomy> Load(const std::string& path);
  // The copy of config/taxonomy.toml compiled into the binary.
  static Result<Taxonomy> Embedded();
};

}  // namespace ct
