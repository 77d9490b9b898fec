#include "analysis/french_sentiment.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "analysis/string_table.h"
#include "analysis/tokenizer.h"
#include "analysis/utf8.h"

namespace ct {
namespace {

constexpr double kPatternScale = 4.0;  // Pattern polarity [-1, 1] -> VADER valence [-4, 4]
constexpr double kBoosterIncrement = 0.293;
constexpr double kCapsIncrement = 0.733;
constexpr double kNegationScalar = -0.74;

// Accent-folded forms.
const StringTable<bool>& Negators() {
  static const StringTable<bool> kWords = [] {
    StringTable<bool> t;
    for (std::string_view w : {"ne", "n", "pas", "jamais", "rien", "aucun", "aucune", "personne",
                               "guere", "nullement", "sans", "ni"}) {
      t.Emplace(w, true);
    }
    return t;
  }();
  return kWords;
}

const StringTable<double>& Boosters() {
  static const StringTable<double> kBoosters = [] {
    StringTable<double> m;
    for (std::string_view w :
         {"tres", "trop", "vraiment", "extremement", "tellement", "super", "hyper", "ultra",
          "totalement", "completement", "absolument", "vachement", "franchement", "carrement",
          "particulierement", "parfaitement", "entierement", "profondement", "si", "aussi",
          "tout", "grave", "enormement", "incroyablement", "terriblement", "hautement"}) {
      m.Emplace(w, kBoosterIncrement);
    }
    for (std::string_view w : {"peu", "assez", "plutot", "presque", "legerement", "moyennement",
                               "relativement", "quasi", "quasiment", "moins"}) {
      m.Emplace(w, -kBoosterIncrement);
    }
    return m;
  }();
  return kBoosters;
}

bool IsContrast(std::string_view w) {
  return w == "mais" || w == "cependant" || w == "pourtant" || w == "toutefois" ||
         w == "neanmoins";
}

}  // namespace

Result<FrenchLexicon> FrenchLexicon::Build(std::string_view pattern_json,
                                           std::string_view overlay_tsv, const Stemmer& stemmer) {
  FrenchLexicon lexicon;
  const auto json = nlohmann::json::parse(pattern_json, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::InvalidArgument("French lexicon: not a JSON object");
  for (const auto& [stem, value] : json.items()) {
    if (!value.is_number()) return Status::InvalidArgument("French lexicon: bad value for " + stem);
    const double v = value.get<double>();
    if (v != 0) lexicon.stems_.Set(stem, v * kPatternScale);
  }
  std::size_t line_no = 0;
  while (!overlay_tsv.empty()) {
    const std::size_t nl = overlay_tsv.find('\n');
    std::string_view line = overlay_tsv.substr(0, nl);
    overlay_tsv = nl == std::string_view::npos ? std::string_view() : overlay_tsv.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const std::size_t tab = line.find('\t');
    std::string_view value = tab == std::string_view::npos ? "" : line.substr(tab + 1);
    value = value.substr(0, value.find('\t'));
    double valence = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), valence);
    if (tab == std::string_view::npos || ec != std::errc() || ptr != value.data() + value.size()) {
      return Status::InvalidArgument("fr_overlay.tsv line " + std::to_string(line_no) +
                                     ": expected term<TAB>valence");
    }
    const std::string term = text::FoldAccents(line.substr(0, tab));
    if (term.find(' ') != std::string::npos) {
      Idiom idiom{{}, valence};
      for (const Token& t : Tokenize(term)) idiom.words.push_back(t.lower);
      lexicon.idioms_[idiom.words.front()].push_back(std::move(idiom));
      continue;
    }
    lexicon.words_.Set(term, valence);
    // Correct the Pattern entry of the same stem, but do not widen the overlay word to
    // every word sharing its stem ("coupe" must not score "coup").
    const std::string stem = stemmer.Stem(term);
    if (lexicon.stems_.Contains(stem)) lexicon.stems_.Set(stem, valence);
  }
  return lexicon;
}

const std::vector<FrenchLexicon::Idiom>* FrenchLexicon::IdiomsStartingWith(
    std::string_view word) const {
  return idioms_.Find(word);
}

VaderScores FrenchSentimentScorer::Score(std::string_view text, bool with_terms) const {
  const std::vector<Token> tokens = Tokenize(text);
  std::vector<std::string> folded;
  folded.reserve(tokens.size());
  for (const Token& t : tokens) folded.push_back(text::FoldAccents(t.lower));
  return Score(text, tokens, folded, with_terms);
}

VaderScores FrenchSentimentScorer::Score(std::string_view text, const std::vector<Token>& tokens,
                                         const std::vector<std::string>& folded,
                                         bool with_terms) const {
  const std::size_t n = tokens.size();
  std::size_t all_caps = 0;
  for (const Token& t : tokens) all_caps += t.all_caps ? 1 : 0;
  const bool is_cap_diff = all_caps > 0 && all_caps < n;

  std::vector<double> sentiments(n, 0.0);
  std::vector<bool> consumed(n, false);
  // Idioms first: their valence replaces that of their words.
  for (std::size_t i = 0; i < n; ++i) {
    const auto* idioms = lexicon_->IdiomsStartingWith(folded[i]);
    if (idioms == nullptr) continue;
    for (const auto& idiom : *idioms) {
      if (i + idiom.words.size() > n) continue;
      bool match = true;
      for (std::size_t k = 1; k < idiom.words.size() && match; ++k) {
        match = folded[i + k] == idiom.words[k];
      }
      if (!match) continue;
      sentiments[i] = idiom.valence;
      for (std::size_t k = 0; k < idiom.words.size(); ++k) consumed[i + k] = true;
      break;
    }
  }

  const auto is_negator = [&](std::size_t k) {
    if (Negators().Find(folded[k]) != nullptr) return true;
    if (folded[k] != "plus") return false;
    for (std::size_t j = k >= 4 ? k - 4 : 0; j < k; ++j) {
      if (folded[j] == "ne" || folded[j] == "n") return true;
    }
    return false;
  };

  for (std::size_t i = 0; i < n; ++i) {
    if (consumed[i] || Boosters().Find(folded[i]) != nullptr || is_negator(i)) continue;
    // Overlay words, then the Pattern lexicon, whose keys are stems or, for some, whole words.
    const double* found = lexicon_->words().Find(folded[i]);
    if (found == nullptr) found = lexicon_->stems().Find(folded[i]);
    if (found == nullptr) found = lexicon_->stems().Find(stemmer_->Stem(folded[i]));
    if (found == nullptr) continue;
    double valence = *found;
    if (tokens[i].all_caps && is_cap_diff) {
      valence = valence > 0 ? valence + kCapsIncrement : valence - kCapsIncrement;
    }
    bool negated = false;
    for (std::size_t back = 1; back <= 3 && back <= i; ++back) {
      const std::size_t k = i - back;
      if (consumed[k]) break;
      if (const double* boost = Boosters().Find(folded[k])) {
        double s = valence < 0 ? -*boost : *boost;
        if (back == 2) s *= 0.95;
        if (back == 3) s *= 0.9;
        valence += s;
      }
      // "plus" is a negator only after "ne"; otherwise it is "more", a booster.
      if (folded[k] == "plus" && !is_negator(k)) valence += valence < 0 ? -0.293 : 0.293;
      negated = negated || is_negator(k);
    }
    if (!negated && i + 1 < n &&
        (folded[i + 1] == "pas" || folded[i + 1] == "jamais" ||
         (folded[i + 1] == "plus" && is_negator(i + 1)))) {
      negated = true;
    }
    if (negated) valence *= kNegationScalar;
    sentiments[i] = valence;
  }

  VaderScores scores;
  for (std::size_t i = 0; i < n; ++i) {
    if (!IsContrast(folded[i])) continue;
    for (std::size_t k = 0; k < n; ++k) {
      if (k < i) sentiments[k] *= 0.5;
      if (k > i) sentiments[k] *= 1.5;
    }
    scores.contrast = true;
    break;
  }
  double sum = 0;
  for (double s : sentiments) sum += s;
  if (sum == 0) return scores;
  const double emphasis = VaderPunctuationEmphasis(text);
  sum += sum > 0 ? emphasis : -emphasis;
  scores.compound = VaderNormalize(sum);
  double pos = 0;
  double neg = 0;
  double neutral = 0;
  for (double s : sentiments) {
    if (s > 0) pos += s + 1;
    else if (s < 0) neg += s - 1;
    else neutral += 1;
  }
  const double total = pos + std::fabs(neg) + neutral;
  scores.positive = pos / total;
  scores.negative = std::fabs(neg) / total;
  scores.neutral = neutral / total;
  if (with_terms) {
    for (std::size_t i = 0; i < n; ++i) {
      if (sentiments[i] != 0) scores.terms.push_back({folded[i], sentiments[i]});
    }
  }
  return scores;
}

}  // namespace ct
