// French sentiment with VADER's rules adapted to French:
//  - lexicon: the Pattern-derived French polarity lexicon shipped by @nlpjs/lang-fr (keyed by
//    Snowball stems of accent-less words, polarity in [-1, 1], scaled x4 to VADER's range),
//    corrected and extended by our overlay (src/analysis/lexicon/fr_overlay.tsv: whole words
//    and idioms such as "pas terrible");
//  - negation: ne/n' ... pas, jamais, rien, aucun(e), personne, guère, nullement, sans, ni, and
//    "plus" when a "ne" precedes it, in the three words before a sentiment word, or a
//    pas/jamais/plus right after it ("je recommande pas");
//  - boosters/dampeners: très, trop, vraiment, tellement, super, complètement... / peu, assez,
//    plutôt, presque...;
//  - contrast: the first "mais", "cependant", "pourtant", "toutefois" or "néanmoins" halves the
//    words before it and weighs those after it by 1.5;
//  - ALL-CAPS and '!'/'?' emphasis as in VADER.
// Score() is not thread-safe (it uses a Stemmer); the lexicon is read-only and shareable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analysis/sentiment_lexicon.h"
#include "analysis/string_table.h"
#include "analysis/stemmer.h"
#include "analysis/tokenizer.h"
#include "analysis/vader.h"
#include "core/status.h"

namespace ct {

class FrenchLexicon {
 public:
  // `pattern_json`: {"stem": polarity, ...}; `overlay_tsv`: "term<TAB>valence[<TAB>note]"
  // lines, '#' comments. `stemmer` must be a French Snowball stemmer.
  static Result<FrenchLexicon> Build(std::string_view pattern_json, std::string_view overlay_tsv,
                                     const Stemmer& stemmer);

  const SentimentLexicon& stems() const { return stems_; }
  const SentimentLexicon& words() const { return words_; }
  // Idioms keyed by their first (accent-folded) word.
  struct Idiom {
    std::vector<std::string> words;
    double valence;
  };
  const std::vector<Idiom>* IdiomsStartingWith(std::string_view word) const;

 private:
  SentimentLexicon stems_;
  SentimentLexicon words_;
  StringTable<std::vector<Idiom>> idioms_;
};

class FrenchSentimentScorer {
 public:
  // Both must outlive the scorer.
  FrenchSentimentScorer(const FrenchLexicon* lexicon, CachedStemmer* stemmer)
      : lexicon_(lexicon), stemmer_(stemmer) {}

  VaderScores Score(std::string_view text, bool with_terms = false) const;
  // Same, on the text already split by Tokenize() with each word's text::FoldAccents().
  VaderScores Score(std::string_view text, const std::vector<Token>& tokens,
                    const std::vector<std::string>& folded, bool with_terms) const;

 private:
  const FrenchLexicon* lexicon_;
  CachedStemmer* stemmer_;
};

}  // namespace ct
