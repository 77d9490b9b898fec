#include "analysis/utf8.h"

namespace ct::text {

char32_t DecodeUtf8(std::string_view s, std::size_t* i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(*i);
  if (b0 < 0x80) {
    ++*i;
    return b0;
  }
  int len = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    ++*i;
    return 0xFFFD;
  }
  if (*i + len > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  for (int k = 1; k < len; ++k) {
    const unsigned char b = byte(*i + k);
    if ((b & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*i;
    return 0xFFFD;
  }
  *i += len;
  return cp;
}

void AppendUtf8(std::string* out, char32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    if (DecodeUtf8(s, &i) == 0xFFFD && i - start == 1) return false;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view s) {
  if (IsValidUtf8(s)) return std::string(s);  // the usual case: one copy
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t start = i;
    const char32_t cp = DecodeUtf8(s, &i);
    if (cp == 0xFFFD && i - start == 1 && static_cast<unsigned char>(s[start]) >= 0x80) {
      AppendUtf8(&out, 0xFFFD);
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  return out;
}

bool IsJsWhitespace(char32_t cp) {
  switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20:
    case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000: case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::vector<std::string_view> SplitJsWhitespace(std::string_view text) {
  std::vector<std::string_view> out;
  out.reserve(text.size() / 5 + 1);
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t at = i;
    const auto b = static_cast<unsigned char>(text[i]);
    const char32_t cp = b < 0x80 ? (++i, b) : DecodeUtf8(text, &i);
    if (IsJsWhitespace(cp)) {
      out.push_back(text.substr(start, at - start));
      start = i;
    }
  }
  out.push_back(text.substr(start));
  return out;
}

std::size_t Utf16Length(std::string_view s) {
  std::size_t n = 0;
  std::size_t i = 0;
  while (i < s.size()) n += DecodeUtf8(s, &i) >= 0x10000 ? 2 : 1;
  return n;
}

namespace {

char32_t LowerCodePoint(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c >= 0x100 && c <= 0x137) return (c % 2 == 0) ? c + 1 : c;
  if (c >= 0x139 && c <= 0x148) return (c % 2 == 1) ? c + 1 : c;
  if (c >= 0x14A && c <= 0x177) return (c % 2 == 0) ? c + 1 : c;
  if (c == 0x178) return 0xFF;
  if (c >= 0x179 && c <= 0x17E) return (c % 2 == 1) ? c + 1 : c;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

// The base letter of a lower-case Latin letter with a diacritic, or 0.
char BaseLatin(char32_t c) {
  if (c >= 0xE0 && c <= 0xE5) return 'a';
  if (c == 0xE7) return 'c';
  if (c >= 0xE8 && c <= 0xEB) return 'e';
  if (c >= 0xEC && c <= 0xEF) return 'i';
  if (c == 0xF1) return 'n';
  if (c >= 0xF2 && c <= 0xF6) return 'o';
  if (c >= 0xF9 && c <= 0xFC) return 'u';
  if (c == 0xFD || c == 0xFF) return 'y';
  if (c >= 0x100 && c <= 0x105) return 'a';
  if (c >= 0x106 && c <= 0x10D) return 'c';
  if (c >= 0x112 && c <= 0x11B) return 'e';
  if (c >= 0x128 && c <= 0x131) return 'i';
  if (c >= 0x14C && c <= 0x151) return 'o';
  if (c >= 0x168 && c <= 0x173) return 'u';
  return 0;
}

}  // namespace

std::string ToLower(std::string_view s) {
  std::string out(s);
  std::size_t i = 0;
  for (; i < s.size(); ++i) {  // ASCII prefix in place: most words are ASCII
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x80) break;
    if (b >= 'A' && b <= 'Z') out[i] = static_cast<char>(b + 32);
  }
  if (i == s.size()) return out;
  out.resize(i);
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out.push_back(static_cast<char>((b >= 'A' && b <= 'Z') ? b + 32 : b));
      ++i;
      continue;
    }
    const std::size_t start = i;
    const char32_t cp = DecodeUtf8(s, &i);
    const char32_t lower = LowerCodePoint(cp);
    if (lower == cp) {
      out.append(s.substr(start, i - start));
    } else {
      AppendUtf8(&out, lower);
    }
  }
  return out;
}

std::string FoldAccents(std::string_view s) {
  std::string out(s);
  std::size_t i = 0;
  for (; i < s.size(); ++i) {  // ASCII prefix in place
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x80) break;
    if (b >= 'A' && b <= 'Z') out[i] = static_cast<char>(b + 32);
  }
  if (i == s.size()) return out;
  out.resize(i);
  while (i < s.size()) {
    const std::size_t start = i;
    const char32_t cp = LowerCodePoint(DecodeUtf8(s, &i));
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp == 0x153) {  // œ
      out += "oe";
    } else if (cp == 0xE6) {  // æ
      out += "ae";
    } else if (const char base = BaseLatin(cp); base != 0) {
      out.push_back(base);
    } else if (cp == 0xFFFD && i - start == 1) {
      AppendUtf8(&out, cp);
    } else {
      AppendUtf8(&out, cp);
    }
  }
  return out;
}

bool IsWordCodePoint(char32_t c) {
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
  if (c < 0xC0) return c == 0xAA || c == 0xB5 || c == 0xBA;
  if (c == 0xD7 || c == 0xF7) return false;
  if (c <= 0x24F) return true;                  // Latin-1 letters, Latin Extended A/B
  if (c >= 0x370 && c <= 0x1FFF) return true;   // Greek, Cyrillic, ..., Latin Extended Additional
  if (c >= 0x2000 && c <= 0x2BFF) return false; // punctuation, currency, arrows, symbols
  if (c >= 0x3040 && c <= 0x9FFF) return true;  // kana, CJK
  if (c >= 0xAC00 && c <= 0xD7AF) return true;  // Hangul
  return false;                                 // emoji, private use, specials
}

}  // namespace ct::text
