#include "analysis/vader.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <string>
#include <string_view>

#include "analysis/string_table.h"
#include "analysis/utf8.h"

namespace ct {
namespace {

StringTable<bool> SetOf(std::initializer_list<std::string_view> words) {
  StringTable<bool> t;
  for (std::string_view w : words) t.Emplace(w, true);
  return t;
}

// The constants of the reference implementation (empirically derived by VADER's authors).
constexpr double kBoosterIncrement = 0.293;
constexpr double kBoosterDecrement = -0.293;
constexpr double kCapsIncrement = 0.733;
constexpr double kNegationScalar = -0.74;

constexpr std::array<std::string_view, 17> kPunctuation = {
    ".", "!", "?", ",", ";", ":", "-", "'", "\"", "!!", "!!!", "??", "???", "?!?", "!?!",
    "?!?!", "!?!?"};

// StringTable rather than std::unordered_* for these per-word lookups: see string_table.h.
const StringTable<bool>& NegationWords() {
  static const StringTable<bool> kWords = SetOf({
      "aint",     "arent",    "cannot",   "cant",     "couldnt",  "darent",   "didnt",
      "doesnt",   "ain't",    "aren't",   "can't",    "couldn't", "daren't",  "didn't",
      "doesn't",  "dont",     "hadnt",    "hasnt",    "havent",   "isnt",     "mightnt",
      "mustnt",   "neither",  "don't",    "hadn't",   "hasn't",   "haven't",  "isn't",
      "mightn't", "mustn't",  "neednt",   "needn't",  "never",    "none",     "nope",
      "nor",      "not",      "nothing",  "nowhere",  "oughtnt",  "shant",    "shouldnt",
      "uhuh",     "wasnt",    "werent",   "oughtn't", "shan't",   "shouldn't", "uh-uh",
      "wasn't",   "weren't",  "without",  "wont",     "wouldnt",  "won't",    "wouldn't",
      "rarely",   "seldom",   "despite"});
  return kWords;
}

const StringTable<double>& Boosters() {
  static const StringTable<double> kBoosters = [] {
    StringTable<double> m;
    for (std::string_view w :
         {"absolutely", "amazingly",   "awfully",    "completely",    "considerably", "decidedly",
          "deeply",     "effing",      "enormously", "entirely",      "especially",   "exceptionally",
          "extremely",  "fabulously",  "flipping",   "flippin",       "fricking",     "frickin",
          "frigging",   "friggin",     "fully",      "fucking",       "greatly",      "hella",
          "highly",     "hugely",      "incredibly", "intensely",     "majorly",      "more",
          "most",       "particularly", "purely",    "quite",         "really",       "remarkably",
          "so",         "substantially", "thoroughly", "totally",     "tremendously", "uber",
          "unbelievably", "unusually", "utterly",    "very"}) {
      m.Emplace(w, kBoosterIncrement);
    }
    for (std::string_view w :
         {"almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of",
          "less", "little", "marginally", "occasionally", "partly", "scarcely", "slightly",
          "somewhat", "sort of", "sorta", "sortof", "sort-of"}) {
      m.Emplace(w, kBoosterDecrement);
    }
    return m;
  }();
  return kBoosters;
}

const StringTable<double>& SpecialIdioms() {
  static const StringTable<double> kIdioms = [] {
    StringTable<double> m;
    for (const auto& [idiom, valence] : std::initializer_list<std::pair<std::string_view, double>>{
             {"the shit", 3}, {"the bomb", 3}, {"bad ass", 1.5}, {"yeah right", -2},
             {"cut the mustard", 2}, {"kiss of death", -1.5}, {"hand to mouth", -2}}) {
      m.Emplace(idiom, valence);
    }
    return m;
  }();
  return kIdioms;
}

bool IsAsciiPunct(unsigned char c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
         (c >= 0x7B && c <= 0x7E);
}

// SentiText.get_words_and_emoticons(): whitespace tokens longer than one UTF-16 unit, with
// one leading or trailing punctuation mark (from kPunctuation) stripped when what remains is
// a word of the punctuation-free text.
// String.length > 1, without decoding the usual (long ASCII) case.
bool LongerThanOneUnit(std::string_view s) {
  if (s.size() >= 4) return true;  // 2+ code points, or one outside the BMP (2 units)
  if (s.size() <= 1) return false;
  return text::Utf16Length(s) > 1;
}

bool HasPunctEdge(std::string_view token) {
  return IsAsciiPunct(static_cast<unsigned char>(token.front())) ||
         IsAsciiPunct(static_cast<unsigned char>(token.back()));
}

// Views into `text`.
std::vector<std::string_view> WordsAndEmoticons(std::string_view text) {
  const std::vector<std::string_view> tokens = text::SplitJsWhitespace(text);
  // The reference keeps a stripped token only when it is a word of the punctuation-free text
  // (the text without ASCII punctuation, split on whitespace, words longer than one unit).
  // Removing punctuation never moves whitespace, so those words are exactly the tokens with
  // their punctuation removed; a token stripped of an edge of punctuation marks is one of them
  // exactly when it has no punctuation left and is longer than one unit (its own token
  // yields it). Checked directly, without building that text.
  const auto is_plain = [](std::string_view w) {
    for (char c : w) {
      if (IsAsciiPunct(static_cast<unsigned char>(c))) return false;
    }
    return LongerThanOneUnit(w);
  };
  std::vector<std::string_view> words;
  words.reserve(tokens.size());
  for (std::string_view token : tokens) {
    if (!LongerThanOneUnit(token)) continue;
    if (!HasPunctEdge(token)) {
      words.emplace_back(token);
      continue;
    }
    std::string_view replacement = token;
    for (std::string_view p : kPunctuation) {
      if (token.size() > p.size() && token.starts_with(p) && is_plain(token.substr(p.size()))) {
        replacement = token.substr(p.size());
        break;
      }
      if (token.size() > p.size() && token.ends_with(p) &&
          is_plain(token.substr(0, token.size() - p.size()))) {
        replacement = token.substr(0, token.size() - p.size());
        break;
      }
    }
    words.emplace_back(replacement);
  }
  return words;
}

bool NegatedWord(std::string_view word) {
  return NegationWords().Find(word) != nullptr || word.find("n't") != std::string_view::npos;
}

bool AllCapDifferential(const std::vector<std::string_view>& words) {
  std::size_t all_caps = 0;
  for (const auto& w : words) all_caps += VaderIsUpper(w) ? 1 : 0;
  const std::size_t differential = words.size() - all_caps;
  return differential > 0 && differential < words.size();
}

class Valuation {
 public:
  Valuation(const SentimentLexicon& lexicon, const std::vector<std::string_view>& words)
      : words_(words), is_cap_diff_(AllCapDifferential(words)) {
    lower_.reserve(words.size());
    owned_.reserve(words.size());  // never reallocated: lower_ views into it
    valence_.reserve(words.size());
    booster_.reserve(words.size());
    for (std::string_view w : words) {
      if (IsAsciiLower(w)) {
        lower_.push_back(w);  // most words: already lower case, no copy
      } else {
        owned_.push_back(text::ToLower(w));
        lower_.push_back(owned_.back());
      }
      valence_.push_back(lexicon.Find(lower_.back()));  // one lookup per word, reused below
      booster_.push_back(Boosters().Find(lower_.back()));
    }
  }

  bool InLexicon(std::size_t k) const { return valence_[k] != nullptr; }

  std::string_view lower(std::size_t i) const { return lower_[i]; }
  const double* booster(std::size_t i) const { return booster_[i]; }

  double Valence(std::size_t index) const {
    const double* found = valence_[index];
    if (found == nullptr) return 0;
    double valence = *found;
    if (VaderIsUpper(words_[index]) && is_cap_diff_) {
      valence = valence > 0 ? valence + kCapsIncrement : valence - kCapsIncrement;
    }
    for (std::size_t start_i = 0; start_i < 3; ++start_i) {
      if (index > start_i && !InLexicon(index - (start_i + 1))) {
        double s = ScalarIncDec(index - (start_i + 1), valence);
        if (start_i == 1 && s != 0) {
          s = s * 0.95;
        } else if (start_i == 2 && s != 0) {
          s = s * 0.9;
        }
        valence = valence + s;
        valence = NeverCheck(valence, start_i, index);
        if (start_i == 2) valence = IdiomsCheck(valence, index);
      }
    }
    return LeastCheck(valence, index);
  }

 private:
  double ScalarIncDec(std::size_t k, double valence) const {
    const double* found = booster_[k];
    if (found == nullptr) return 0;
    double scalar = *found;
    if (valence < 0) scalar *= -1;
    if (is_cap_diff_ && VaderIsUpper(words_[k])) {
      scalar = valence > 0 ? scalar + kCapsIncrement : scalar - kCapsIncrement;
    }
    return scalar;
  }

  bool Is(std::size_t k, std::string_view w) const { return words_[k] == w; }

  double NeverCheck(double valence, std::size_t start_i, std::size_t index) const {
    if (start_i == 0) {
      if (NegatedWord(words_[index - 1])) valence = valence * kNegationScalar;
    }
    if (start_i == 1) {
      if (Is(index - 2, "never") && (Is(index - 1, "so") || Is(index - 1, "this"))) {
        valence = valence * 1.5;
      } else if (NegatedWord(words_[index - 2])) {
        valence = valence * kNegationScalar;
      }
    }
    if (start_i == 2) {
      if ((Is(index - 3, "never") && (Is(index - 2, "so") || Is(index - 2, "this"))) ||
          (Is(index - 1, "so") || Is(index - 1, "this"))) {
        valence = valence * 1.25;
      } else if (NegatedWord(words_[index - 3])) {
        valence = valence * kNegationScalar;
      }
    }
    return valence;
  }

  // Only called with index >= 3.
  double IdiomsCheck(double valence, std::size_t index) const {
    const auto& w = words_;
    const std::string one_zero = Join({w[index - 1], w[index]});
    const std::string two_one_zero = Join({w[index - 2], w[index - 1], w[index]});
    const std::string two_one = Join({w[index - 2], w[index - 1]});
    const std::string three_two_one = Join({w[index - 3], w[index - 2], w[index - 1]});
    const std::string three_two = Join({w[index - 3], w[index - 2]});
    for (const std::string* seq : {&one_zero, &two_one_zero, &two_one, &three_two_one, &three_two}) {
      if (const double* idiom = SpecialIdioms().Find(*seq)) {
        valence = *idiom;
        break;
      }
    }
    if (w.size() - 1 > index) {
      if (const double* idiom = SpecialIdioms().Find(Join({w[index], w[index + 1]}))) valence = *idiom;
    }
    if (w.size() - 1 > index + 1) {
      if (const double* idiom = SpecialIdioms().Find(Join({w[index], w[index + 1], w[index + 2]}))) {
        valence = *idiom;
      }
    }
    if (Boosters().Find(three_two) != nullptr || Boosters().Find(two_one) != nullptr) {
      valence = valence + kBoosterDecrement;
    }
    return valence;
  }

  // The words separated by one space, as the reference's string concatenation.
  static std::string Join(std::initializer_list<std::string_view> parts) {
    std::string out;
    bool first = true;
    for (std::string_view p : parts) {
      if (!first) out.push_back(' ');
      out.append(p);
      first = false;
    }
    return out;
  }

  double LeastCheck(double valence, std::size_t index) const {
    if (index > 1 && lower_[index - 1] == "least" && !InLexicon(index - 1)) {
      if (lower_[index - 2] != "at" && lower_[index - 2] != "very") {
        valence = valence * kNegationScalar;
      }
    } else if (index > 0 && lower_[index - 1] == "least" && !InLexicon(index - 1)) {
      valence = valence * kNegationScalar;
    }
    return valence;
  }

  static bool IsAsciiLower(std::string_view w) {
    for (char c : w) {
      if ((c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
  }

  const std::vector<std::string_view>& words_;
  std::vector<std::string_view> lower_;
  std::vector<std::string> owned_;  // lower-case copies of the words that needed one
  std::vector<const double*> valence_;  // lexicon entry of each word, or null
  std::vector<const double*> booster_;  // booster scalar of each word, or null
  bool is_cap_diff_;
};

double Round(double x, double scale) { return std::round(x * scale) / scale; }

}  // namespace

bool VaderIsUpper(std::string_view word) {
  bool upper = false;
  for (char c : word) {
    if (c >= 'a' && c <= 'z') return false;
    if (c >= 'A' && c <= 'Z') upper = true;
  }
  return upper;
}

double VaderNormalize(double score, double alpha) {
  const double norm = score / std::sqrt(score * score + alpha);
  return std::clamp(norm, -1.0, 1.0);
}

double VaderPunctuationEmphasis(std::string_view text) {
  const auto exclamations = std::min<std::ptrdiff_t>(std::count(text.begin(), text.end(), '!'), 4);
  const auto questions = std::count(text.begin(), text.end(), '?');
  double question_amplifier = 0;
  if (questions > 1) {
    question_amplifier = questions <= 3 ? static_cast<double>(questions) * 0.18 : 0.96;
  }
  return static_cast<double>(exclamations) * 0.292 + question_amplifier;
}

VaderScores VaderScorer::Score(std::string_view text, bool with_terms) const {
  const std::vector<std::string_view> words = WordsAndEmoticons(text);
  const Valuation valuation(*lexicon_, words);
  const std::size_t n = words.size();
  std::vector<double> sentiments;
  sentiments.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if ((i + 1 < n && valuation.lower(i) == "kind" && valuation.lower(i + 1) == "of") ||
        valuation.booster(i) != nullptr) {
      sentiments.push_back(0);
      continue;
    }
    sentiments.push_back(valuation.Valence(i));
  }

  VaderScores scores;
  auto but = std::find(words.begin(), words.end(), "but");
  if (but == words.end()) but = std::find(words.begin(), words.end(), "BUT");
  if (but != words.end()) {
    const auto but_index = static_cast<std::size_t>(but - words.begin());
    for (std::size_t i = 0; i < n; ++i) {
      if (i < but_index) {
        sentiments[i] = sentiments[i] * 0.5;
      } else if (i > but_index) {
        sentiments[i] = sentiments[i] * 1.5;
      }
    }
    scores.contrast = true;
  }
  if (sentiments.empty()) return scores;

  double sum = 0;
  for (double s : sentiments) sum += s;
  const double emphasis = VaderPunctuationEmphasis(text);
  if (sum > 0) {
    sum += emphasis;
  } else if (sum < 0) {
    sum -= emphasis;
  }
  scores.compound = VaderNormalize(sum);

  double pos_sum = 0;
  double neg_sum = 0;
  double neutral_count = 0;
  for (double s : sentiments) {
    if (s > 0) {
      pos_sum += s + 1;
    } else if (s < 0) {
      neg_sum += s - 1;
    } else {
      neutral_count += 1;
    }
  }
  if (pos_sum > std::fabs(neg_sum)) {
    pos_sum += emphasis;
  } else if (pos_sum < std::fabs(neg_sum)) {
    neg_sum -= emphasis;
  }
  const double total = pos_sum + std::fabs(neg_sum) + neutral_count;
  scores.positive = Round(std::fabs(pos_sum / total), 1000);
  scores.negative = Round(std::fabs(neg_sum / total), 1000);
  scores.neutral = Round(std::fabs(neutral_count / total), 1000);
  if (with_terms) {
    for (std::size_t i = 0; i < n; ++i) {
      if (sentiments[i] != 0) scores.terms.push_back({std::string(valuation.lower(i)), sentiments[i]});
    }
  }
  return scores;
}

}  // namespace ct
