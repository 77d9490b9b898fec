#include "analysis/language_detector.h"

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include "analysis/utf8.h"

namespace ct {

LanguageGuess LanguageDetector::Detect(std::string_view text) const {
  // Sanitised text (the Analyzer's) is used as is, without a copy.
  std::string sanitized;
  if (!text::IsValidUtf8(text)) sanitized = text::SanitizeUtf8(text);
  const std::string_view clean = sanitized.empty() ? text : std::string_view(sanitized);
  int letters = 0;
  std::size_t i = 0;
  while (i < clean.size()) {
    const auto b = static_cast<unsigned char>(clean[i]);
    if (b < 0x80) {
      letters += (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ? 1 : 0;
      ++i;
      continue;
    }
    if (text::IsWordCodePoint(text::DecodeUtf8(clean, &i))) ++letters;  // never a digit here
  }

  CLD2::Language language3[3];
  int percent3[3];
  double normalized3[3];
  int text_bytes = 0;
  bool reliable = false;
  const CLD2::Language top = CLD2::ExtDetectLanguageSummary(
      clean.data(), static_cast<int>(clean.size()), /*is_plain_text=*/true,
      /*tld_hint=*/"", CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE, language3, percent3,
      normalized3, &text_bytes, &reliable);

  LanguageGuess guess;
  guess.reliable = reliable;
  guess.confidence = percent3[0] / 100.0;
  const bool known = top != CLD2::UNKNOWN_LANGUAGE && top != CLD2::TG_UNKNOWN_LANGUAGE;
  guess.top_guess = known ? CLD2::LanguageCode(top) : "und";
  if (letters < options_.min_letters) {
    guess.reason = "too_short";
  } else if (!known || !reliable) {
    guess.reason = "unreliable";
  } else if (guess.confidence < options_.min_top_share) {
    guess.reason = "mixed";
  } else {
    guess.code = guess.top_guess;
  }
  return guess;
}

}  // namespace ct
