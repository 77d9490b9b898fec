// Small checks shared by the payload validators of the job types. Each returns InvalidArgument
// naming the field ("payload.limit must be an integer between 1 and 10000") or Ok.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"

namespace ct::payload {

// Refuses keys outside `allowed` (a typo must not be silently ignored).
Status OnlyKeys(const nlohmann::json& p, std::initializer_list<std::string_view> allowed);
Status RequiredString(const nlohmann::json& p, std::string_view key);  // non-empty
Status OptionalString(const nlohmann::json& p, std::string_view key);
Status OptionalInt(const nlohmann::json& p, std::string_view key, std::int64_t min,
                   std::int64_t max);
Status OptionalNumber(const nlohmann::json& p, std::string_view key, double min, double max);
Status OptionalBool(const nlohmann::json& p, std::string_view key);
Status OptionalStringArray(const nlohmann::json& p, std::string_view key);  // non-empty strings

}  // namespace ct::payload
