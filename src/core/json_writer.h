// JsonWriter: a small append-only JSON text builder for the hot path (rendering pages of posts).
// Measured against nlohmann::json for a 50-post page (see json_writer_bench in the report /
// docs/api.md): building the text directly avoids one allocation per value.
// The caller is responsible for well-formed nesting (Key before each object member). Not
// synchronised.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ct {

// Appends `text` as a JSON string literal (with quotes), escaping per RFC 8259. Invalid UTF-8
// bytes are replaced by U+FFFD so the output is always valid JSON.
void AppendJsonString(std::string& out, std::string_view text);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(std::int64_t value);
  JsonWriter& Double(double value);  // non-finite values are written as null
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Inserts already-serialised JSON verbatim (precondition: it is one valid JSON value).
  JsonWriter& Raw(std::string_view json);
  // Writes the separator and hands back the buffer: the caller appends exactly one JSON value
  // (e.g. a serialised value kept as text).
  std::string& RawValue();

 private:
  void Separator();

  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace ct
