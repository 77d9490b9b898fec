// Strict reading of query parameters, shared by every handler: an unknown name, a repeated
// single-valued name, an empty or badly typed value are InvalidArgument errors naming the
// parameter (they become 400s), never silently ignored.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ct {

class QueryParams {
 public:
  explicit QueryParams(const std::multimap<std::string, std::string>& query) : query_(query) {}

  // "unknown parameter 'foo'" for the first name not in `allowed`.
  Status RejectUnknown(std::initializer_list<std::string_view> allowed) const;
  // nullopt when absent; error when repeated or empty.
  Result<std::optional<std::string>> Single(const std::string& name) const;
  // Comma-separated values; the parameter may also be repeated. Empty items are errors.
  Result<std::vector<std::string>> List(const std::string& name) const;
  // "true" | "false".
  Result<std::optional<bool>> Bool(const std::string& name) const;
  // Decimal integer within [min, max].
  Result<std::optional<std::int64_t>> Int(const std::string& name, std::int64_t min,
                                          std::int64_t max) const;

 private:
  const std::multimap<std::string, std::string>& query_;
};

}  // namespace ct
