#include "analysis/tokenizer.h"

#include "analysis/utf8.h"

namespace ct {
namespace {

// DecodeUtf8 and IsWordCodePoint with the ASCII case inline: most bytes are ASCII.
char32_t Next(std::string_view text, std::size_t* i) {
  const auto b = static_cast<unsigned char>(text[*i]);
  if (b < 0x80) {
    ++*i;
    return b;
  }
  return text::DecodeUtf8(text, i);
}

bool IsWord(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return text::IsWordCodePoint(c);
}

}  // namespace

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  Tokenize(text, &tokens);
  return tokens;
}

void Tokenize(std::string_view text, std::vector<Token>* out) {
  std::vector<Token>& tokens = *out;
  tokens.clear();
  tokens.reserve(text.size() / 5 + 1);
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    const char32_t cp = Next(text, &i);
    if (!IsWord(cp)) continue;
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
      const char32_t c = Next(text, &next);
      if (!IsWord(c)) break;
      classify(c);
      end = next;
    }
    std::string_view surface = text.substr(start, end - start);
    tokens.push_back({text::ToLower(surface), start, end, has_upper && !has_lower});
    i = end;
  }
}

bool GapContains(std::string_view text, std::size_t from, std::size_t to, std::string_view chars) {
  if (to > text.size()) to = text.size();
  for (std::size_t k = from; k < to; ++k) {
    if (chars.find(text[k]) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace ct
