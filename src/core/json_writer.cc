#include "core/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace ct {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  auto cont = [&](std::size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  if (b >= 0xC2 && b <= 0xDF) return cont(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b == 0xE0 && b1 < 0xA0) return 0;   // overlong
    if (b == 0xED && b1 >= 0xA0) return 0;  // surrogates
    return 3;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b == 0xF0 && b1 < 0x90) return 0;
    if (b == 0xF4 && b1 >= 0x90) return 0;
    return 4;
  }
  return 0;
}

// True when none of the 8 bytes needs attention: no control byte, quote, backslash or
// non-ASCII byte (classic SWAR "has byte less than / equal to" tests).
inline bool AllPlainAscii(std::uint64_t v) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  std::uint64_t below_space = (v - 0x20 * kOnes) & ~v & kHigh;
  std::uint64_t q = v ^ (0x22 * kOnes);
  std::uint64_t quote = (q - kOnes) & ~q & kHigh;
  std::uint64_t b = v ^ (0x5C * kOnes);
  std::uint64_t backslash = (b - kOnes) & ~b & kHigh;
  return ((v & kHigh) | below_space | quote | backslash) == 0;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t run_start = 0;
  auto flush = [&](std::size_t end) { out.append(text.data() + run_start, end - run_start); };
  for (std::size_t i = 0; i < text.size();) {
    // Most text is plain ASCII: skip it 8 bytes at a time.
    while (i + 8 <= text.size()) {
      std::uint64_t v;
      std::memcpy(&v, text.data() + i, 8);
      if (!AllPlainAscii(v)) break;
      i += 8;
    }
    if (i >= text.size()) break;
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      std::size_t n = Utf8SequenceLength(text, i);
      if (n > 0) {
        i += n;
        continue;
      }
      flush(i);
      out.append("\xEF\xBF\xBD");
      run_start = ++i;
      continue;
    }
    flush(i);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(esc, 6);
      }
    }
    run_start = ++i;
  }
  flush(text.size());
  out.push_back('"');
}

void JsonWriter::Separator() {
  if (need_comma_) out_.push_back(',');
  need_comma_ = true;
}

JsonWriter& JsonWriter::BeginObject() {
  Separator();
  out_.push_back('{');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::EndObject() {
  out_.push_back('}');
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::BeginArray() {
  Separator();
  out_.push_back('[');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::EndArray() {
  out_.push_back(']');
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::Key(std::string_view key) {
  Separator();
  AppendJsonString(out_, key);
  out_.push_back(':');
  need_comma_ = false;  // the value follows without a comma
  return *this;
}
JsonWriter& JsonWriter::String(std::string_view value) {
  Separator();
  AppendJsonString(out_, value);
  return *this;
}
JsonWriter& JsonWriter::Int(std::int64_t value) {
  Separator();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, r.ptr);
  return *this;
}
JsonWriter& JsonWriter::Double(double value) {
  Separator();
  if (!std::isfinite(value)) {
    out_.append("null");
    return *this;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, value);  // shortest round-trip form
  out_.append(buf, r.ptr);
  return *this;
}
JsonWriter& JsonWriter::Bool(bool value) {
  Separator();
  out_.append(value ? "true" : "false");
  return *this;
}
JsonWriter& JsonWriter::Null() {
  Separator();
  out_.append("null");
  return *this;
}
JsonWriter& JsonWriter::Raw(std::string_view json) {
  Separator();
  out_.append(json);
  return *this;
}

std::string& JsonWriter::RawValue() {
  Separator();
  return out_;
}

}  // namespace ct
