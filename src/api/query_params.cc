#include "api/query_params.h"

#include <algorithm>
#include <charconv>

namespace ct {

Status QueryParams::RejectUnknown(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [name, value] : query_) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return Status::InvalidArgument("unknown parameter '" + name + "'");
    }
  }
  return Status::Ok();
}

Result<std::optional<std::string>> QueryParams::Single(const std::string& name) const {
  auto [begin, end] = query_.equal_range(name);
  if (begin == end) return std::optional<std::string>();
  if (std::next(begin) != end) {
    return Status::InvalidArgument("parameter '" + name + "' given more than once");
  }
  if (begin->second.empty()) {
    return Status::InvalidArgument("parameter '" + name + "' must not be empty");
  }
  return std::optional<std::string>(begin->second);
}

Result<std::vector<std::string>> QueryParams::List(const std::string& name) const {
  std::vector<std::string> out;
  auto [begin, end] = query_.equal_range(name);
  for (auto it = begin; it != end; ++it) {
    std::string_view v = it->second;
    while (true) {
      std::size_t comma = v.find(',');
      std::string_view item = v.substr(0, comma);
      if (item.empty()) {
        return Status::InvalidArgument("parameter '" + name + "' has an empty value");
      }
      if (std::find(out.begin(), out.end(), item) == out.end()) out.emplace_back(item);
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
  return out;
}

Result<std::optional<bool>> QueryParams::Bool(const std::string& name) const {
  CT_ASSIGN_OR_RETURN(std::optional<std::string> v, Single(name));
  if (!v) return std::optional<bool>();
  if (*v == "true") return std::optional<bool>(true);
  if (*v == "false") return std::optional<bool>(false);
  return Status::InvalidArgument("parameter '" + name + "' must be true or false, got '" + *v +
                                 "'");
}

Result<std::optional<std::int64_t>> QueryParams::Int(const std::string& name, std::int64_t min,
                                                     std::int64_t max) const {
  CT_ASSIGN_OR_RETURN(std::optional<std::string> v, Single(name));
  if (!v) return std::optional<std::int64_t>();
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size() || n < min || n > max) {
    return Status::InvalidArgument("parameter '" + name + "' must be an integer between " +
                                   std::to_string(min) + " and " + std::to_string(max) + ", got '" +
                                   *v + "'");
  }
  return std::optional<std::int64_t>(n);
}

}  // namespace ct
