// nlohmann::json helpers for the JSON adapters (internal to sources/; .cc files only).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/status.h"
#include "sources/adapter_support.h"
#include "sources/source_adapter.h"

namespace ct::json_support {

using nlohmann::json;

// Parses a body; malformed JSON is drift.
Result<json> ParseBody(const ParseContext& context, std::string_view body);

// The string at `key` ("" when absent or null); numbers are rendered.
std::string Str(const json& j, const char* key);
std::int64_t Int(const json& j, const char* key);
// true only for a JSON true at `key` (absent, null or another type: false).
bool Bool(const json& j, const char* key);
std::optional<double> Num(const json& j, const char* key);
// The array at `key`, or drift naming "<where>.<key>".
Result<const json*> RequiredArray(const ParseContext& context, const json& j, const char* key,
                                  std::string_view where);
// Required member (not null), or drift.
Status Require(const ParseContext& context, const json& j, const char* key, std::string_view where);

}  // namespace ct::json_support
