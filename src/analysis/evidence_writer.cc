#include "analysis/evidence_writer.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace ct {

void EvidenceWriter::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_.push_back(',');
    first_.back() = false;
  }
}

EvidenceWriter& EvidenceWriter::Open(char c) {
  Separate();
  out_.push_back(c);
  first_.push_back(true);
  return *this;
}

EvidenceWriter& EvidenceWriter::Close(char c) {
  out_.push_back(c);
  first_.pop_back();
  return *this;
}

EvidenceWriter& EvidenceWriter::Key(std::string_view key) {
  String(key);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

namespace {

constexpr bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// Whether any of the 8 bytes of `w` needs escaping (SWAR: a zero byte in w ^ '"'... or a byte
// below 0x20), so that plain text is scanned a word at a time.
bool AnyNeedsEscape(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
  return (below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'))) != 0;
}

// Exact decimal digits of |v| when v is k / 10^4 (k integer) rounded to the nearest double and
// 0.001 <= |v| < 10^5: then the shortest round-trip form is plain fixed notation with at most
// four decimals (scientific would not be shorter), which is cheaper to write than to_chars'
// general algorithm. Returns the end of what was written, or nullptr when v is not such a value.
char* FixedFourDecimals(double v, char* buf) {
  const double a = std::fabs(v);
  if (!(a >= 0.001 && a < 1e5)) return nullptr;
  const double scaled = std::round(a * 1e4);
  const auto k = static_cast<std::int64_t>(scaled);
  if (static_cast<double>(k) / 1e4 != a) return nullptr;
  char* p = buf;
  if (v < 0) *p++ = '-';
  std::int64_t whole = k / 10000;
  int frac = static_cast<int>(k % 10000);
  p = std::to_chars(p, p + 8, whole).ptr;
  if (frac != 0) {
    char digits[4];
    for (int d = 3; d >= 0; --d) {
      digits[d] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    int n = 4;
    while (digits[n - 1] == '0') --n;
    *p++ = '.';
    for (int d = 0; d < n; ++d) *p++ = digits[d];
  }
  return p;
}

}  // namespace

EvidenceWriter& EvidenceWriter::String(std::string_view value) {
  Separate();
  out_.push_back('"');
  std::size_t run = 0;  // start of the pending run of characters that need no escaping
  std::size_t i = 0;
  for (; i + 8 <= value.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, value.data() + i, 8);
    if (AnyNeedsEscape(w)) break;
  }
  for (; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (!NeedsEscape(c)) continue;
    out_.append(value.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out_ += "\\u00";
          out_.push_back(kHex[c >> 4]);
          out_.push_back(kHex[c & 15]);
        }
    }
  }
  out_.append(value.substr(run));
  out_.push_back('"');
  return *this;
}

EvidenceWriter& EvidenceWriter::Number(double value) {
  if (!std::isfinite(value)) return Null();
  Separate();
  char buf[32];
  if (const char* end = FixedFourDecimals(value, buf)) {
    out_.append(buf, static_cast<std::size_t>(end - buf));
    return *this;
  }
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, ec == std::errc() ? end : buf);
  return *this;
}

EvidenceWriter& EvidenceWriter::Bool(bool value) {
  Separate();
  out_ += value ? "true" : "false";
  return *this;
}

EvidenceWriter& EvidenceWriter::Null() {
  Separate();
  out_ += "null";
  return *this;
}

}  // namespace ct
