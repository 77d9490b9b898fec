#include "analysis/evidence_writer.h"

#include <charconv>
#include <cmath>

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

EvidenceWriter& EvidenceWriter::String(std::string_view value) {
  Separate();
  out_.push_back('"');
  std::size_t run = 0;  // start of the pending run of characters that need no escaping
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
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
