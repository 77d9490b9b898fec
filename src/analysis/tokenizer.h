// Word tokenizer for matching taxonomy terms and place names, and for French sentiment.
// A word is a maximal run of letters/digits (text::IsWordCodePoint), so "eur" never matches
// inside "serveur" and "ovh" never inside "novhost". Apostrophes and hyphens split words:
// "l'hébergement" -> "l", "hébergement".
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ct {

struct Token {
  std::string lower;   // text::ToLower of the surface form
  std::size_t begin;   // byte offsets in the tokenised text
  std::size_t end;
  bool all_caps;       // has letters, none lower-case (e.g. "NUL", "VPS")
};

std::vector<Token> Tokenize(std::string_view text);
// The same into `out` (cleared first), so that a caller can reuse its capacity.
void Tokenize(std::string_view text, std::vector<Token>* out);

// The bytes between two tokens (or text edges) contain one of `chars`.
bool GapContains(std::string_view text, std::size_t from, std::size_t to, std::string_view chars);

}  // namespace ct
