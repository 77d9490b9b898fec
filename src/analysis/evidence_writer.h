// JsonWriter: appends compact JSON to a string, for the evidence object built on every post
// (a DOM library costs several allocations per node; this costs about one per post).
// The caller is responsible for a well-formed sequence of calls. Not synchronised.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ct {

class JsonWriter {
 public:
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Number(double value);  // shortest round-trip form; NaN/inf become null
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  // Key + value shorthands.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, double value) { return Key(key).Number(value); }
  JsonWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }
  template <typename Strings>
  JsonWriter& StringArray(std::string_view key, const Strings& values) {
    Key(key).BeginArray();
    for (const auto& v : values) String(v);
    return EndArray();
  }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  JsonWriter& Open(char c);
  JsonWriter& Close(char c);
  void Separate();

  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

}  // namespace ct
