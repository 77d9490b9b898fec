// Small UTF-8 helpers for the analysis module: decoding, the whitespace and lower-casing rules
// of JavaScript (the VADER reference implementation is JavaScript, and we must tokenise exactly
// as it does), accent folding, and what counts as a letter of a word.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ct::text {

// Decodes the code point starting at s[*i] and advances *i past it. An invalid or truncated
// sequence yields U+FFFD and advances by one byte.
char32_t DecodeUtf8(std::string_view s, std::size_t* i);
void AppendUtf8(std::string* out, char32_t cp);

// True when `s` has no invalid or truncated sequence (what SanitizeUtf8 would change).
bool IsValidUtf8(std::string_view s);
// Replaces invalid UTF-8 sequences with U+FFFD (CLD2 requires valid input).
std::string SanitizeUtf8(std::string_view s);

// JavaScript's /\s/ (ECMAScript WhiteSpace + LineTerminator).
bool IsJsWhitespace(char32_t cp);
// `text.split(/\s/)`, empty pieces included, as JavaScript does.
std::vector<std::string_view> SplitJsWhitespace(std::string_view text);
// String.prototype.length: UTF-16 code units.
std::size_t Utf16Length(std::string_view s);

// String.prototype.toLowerCase for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic;
// other code points are copied unchanged.
std::string ToLower(std::string_view s);
// Lower-cases and strips the diacritics of Latin letters: "Problème" -> "probleme".
std::string FoldAccents(std::string_view s);

// A letter or digit of a word (Latin with diacritics, Greek, Cyrillic, CJK...); apostrophes,
// hyphens, punctuation, symbols and emoji are not.
bool IsWordCodePoint(char32_t cp);

}  // namespace ct::text
