// VaderScorer: the VADER sentiment rules (Hutto & Gilbert, ICWSM 2014) for English, ported
// from the JavaScript package vader-sentiment 1.1.3 so that scores agree with it: lexicon
// valence, booster and dampener words, negation in the three preceding words, "least",
// special idioms, the "but" contrast, ALL-CAPS emphasis and '!'/'?' emphasis.
// tests: vader_agreement (ctest) compares compound scores with the package on >= 2,000 texts.
//
// Thread-safe: Score() is const and the lexicon is read-only. The lexicon must outlive the
// scorer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analysis/sentiment_lexicon.h"

namespace ct {

// A word that carried sentiment, with its valence after the rules (negation, boosters...).
struct SentimentTerm {
  std::string term;
  double valence = 0;
};

struct VaderScores {
  double compound = 0;  // in [-1, 1]; unrounded (the JS package rounds to 4 decimals)
  double positive = 0;  // proportions, rounded to 3 decimals like the reference
  double negative = 0;
  double neutral = 0;
  std::vector<SentimentTerm> terms;  // only when requested
  bool contrast = false;             // a "but" re-weighted the clauses
};

class VaderScorer {
 public:
  explicit VaderScorer(const SentimentLexicon* lexicon) : lexicon_(lexicon) {}

  // `with_terms` fills VaderScores::terms (costs a few allocations).
  VaderScores Score(std::string_view text, bool with_terms = false) const;

 private:
  const SentimentLexicon* lexicon_;
};

// VADER's normalisation of a valence sum into [-1, 1]: x / sqrt(x^2 + alpha).
double VaderNormalize(double score, double alpha = 15);
// Emphasis added by '!' (up to 4) and '?' (2 or more) anywhere in the text.
double VaderPunctuationEmphasis(std::string_view text);
// Python's str.isupper() as the JS port implements it: has A-Z and no a-z.
bool VaderIsUpper(std::string_view word);

}  // namespace ct
