// EvidenceWriter: appends compact JSON to a string, for the evidence object built on every post
// (a DOM library costs several allocations per node; this costs about one per post).
// The caller is responsible for a well-formed sequence of calls. Not synchronised.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ct {

class EvidenceWriter {
 public:
  EvidenceWriter& BeginObject() { return Open('{'); }
  EvidenceWriter& EndObject() { return Close('}'); }
  EvidenceWriter& BeginArray() { return Open('['); }
  EvidenceWriter& EndArray() { return Close(']'); }
  EvidenceWriter& Key(std::string_view key);
  EvidenceWriter& String(std::string_view value);
  EvidenceWriter& Number(double value);  // shortest round-trip form; NaN/inf become null
  EvidenceWriter& Bool(bool value);
  EvidenceWriter& Null();

  // Key + value shorthands.
  EvidenceWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  EvidenceWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  EvidenceWriter& Field(std::string_view key, double value) { return Key(key).Number(value); }
  EvidenceWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }
  template <typename Strings>
  EvidenceWriter& StringArray(std::string_view key, const Strings& values) {
    Key(key).BeginArray();
    for (const auto& v : values) String(v);
    return EndArray();
  }

  void Reserve(std::size_t bytes) { out_.reserve(bytes); }
  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  EvidenceWriter& Open(char c);
  EvidenceWriter& Close(char c);
  void Separate();

  std::string out_;
  std::vector<char> first_;  // per open container: no element written yet (not vector<bool>:
                             // bit access showed in profiles)
  bool after_key_ = false;
};

}  // namespace ct
