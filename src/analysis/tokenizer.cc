#include "analysis/tokenizer.h"

#include "analysis/utf8.h"

namespace ct {

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    const char32_t cp = text::DecodeUtf8(text, &i);
    if (!text::IsWordCodePoint(cp)) continue;
    std::size_t end = i;
    bool has_lower = false;
    bool has_upper = false;
    auto classify = [&](char32_t c) {
      if (c < 0x80) {
        has_lower |= (c >= 'a' && c <= 'z');
        has_upper |= (c >= 'A' && c <= 'Z');
      } else if (c >= 0xC0 && c <= 0xDE) {
        has_upper = true;
      } else if (c >= 0xDF && c <= 0xFF) {
        has_lower = true;
      }
    };
    classify(cp);
    while (end < text.size()) {
      std::size_t next = end;
      const char32_t c = text::DecodeUtf8(text, &next);
      if (!text::IsWordCodePoint(c)) break;
      classify(c);
      end = next;
    }
    std::string_view surface = text.substr(start, end - start);
    tokens.push_back({text::ToLower(surface), start, end, has_upper && !has_lower});
    i = end;
  }
  return tokens;
}

bool GapContains(std::string_view text, std::size_t from, std::size_t to, std::string_view chars) {
  if (to > text.size()) to = text.size();
  for (std::size_t k = from; k < to; ++k) {
    if (chars.find(text[k]) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace ct
