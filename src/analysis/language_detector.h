// Language identification with CLD2 (compiled-in models; no download, no network).
// A text too short, or too mixed, to call is "und" rather than a guess; the confidence is
// still reported.
// Thread-safe (CLD2 keeps no state between calls).
#pragma once

#include <string>
#include <string_view>

namespace ct {

struct LanguageGuess {
  std::string code = "und";  // ISO 639-1 ("en", "fr"...) or "und"
  double confidence = 0;     // share of the text CLD2 gives its top language, in [0, 1]
  bool reliable = false;     // CLD2's own reliability verdict
  std::string reason;        // why "und": "too_short", "mixed", "unreliable"; empty otherwise
  std::string top_guess;     // CLD2's top language even when we answer "und"
};

struct LanguageDetectorOptions {
  int min_letters = 12;         // fewer letters than this: "und", too_short
  double min_top_share = 0.6;   // top language covers less of the text: "und", mixed
};

class LanguageDetector {
 public:
  explicit LanguageDetector(LanguageDetectorOptions options = {}) : options_(options) {}
  LanguageGuess Detect(std::string_view text) const;

 private:
  LanguageDetectorOptions options_;
};

}  // namespace ct
