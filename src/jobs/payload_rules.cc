#include "jobs/payload_rules.h"

#include <nlohmann/json.hpp>
#include <string>

namespace ct::payload {
namespace {

std::string Field(std::string_view key) { return "payload." + std::string(key); }

const nlohmann::json* Get(const nlohmann::json& p, std::string_view key) {
  auto it = p.find(std::string(key));
  return it == p.end() ? nullptr : &*it;
}

}  // namespace

Status OnlyKeys(const nlohmann::json& p, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, unused] : p.items()) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || a == key;
    if (!ok) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return Status::InvalidArgument("payload has unknown key '" + key + "' (allowed: " +
                                     (list.empty() ? "none" : list) + ")");
    }
  }
  return Status::Ok();
}

Status RequiredString(const nlohmann::json& p, std::string_view key) {
  const nlohmann::json* v = Get(p, key);
  if (v == nullptr) return Status::InvalidArgument(Field(key) + " is required");
  if (!v->is_string() || v->get_ref<const std::string&>().empty()) {
    return Status::InvalidArgument(Field(key) + " must be a non-empty string");
  }
  return Status::Ok();
}

Status OptionalString(const nlohmann::json& p, std::string_view key) {
  const nlohmann::json* v = Get(p, key);
  if (v != nullptr && !v->is_string()) {
    return Status::InvalidArgument(Field(key) + " must be a string");
  }
  return Status::Ok();
}

Status OptionalInt(const nlohmann::json& p, std::string_view key, std::int64_t min,
                   std::int64_t max) {
  const nlohmann::json* v = Get(p, key);
  if (v == nullptr) return Status::Ok();
  if (!v->is_number_integer() || v->get<std::int64_t>() < min || v->get<std::int64_t>() > max) {
    return Status::InvalidArgument(Field(key) + " must be an integer between " +
                                   std::to_string(min) + " and " + std::to_string(max));
  }
  return Status::Ok();
}

Status OptionalNumber(const nlohmann::json& p, std::string_view key, double min, double max) {
  const nlohmann::json* v = Get(p, key);
  if (v == nullptr) return Status::Ok();
  if (!v->is_number() || v->get<double>() < min || v->get<double>() > max) {
    return Status::InvalidArgument(Field(key) + " must be a number between " +
                                   std::to_string(static_cast<std::int64_t>(min)) + " and " +
                                   std::to_string(static_cast<std::int64_t>(max)));
  }
  return Status::Ok();
}

Status OptionalBool(const nlohmann::json& p, std::string_view key) {
  const nlohmann::json* v = Get(p, key);
  if (v != nullptr && !v->is_boolean()) {
    return Status::InvalidArgument(Field(key) + " must be true or false");
  }
  return Status::Ok();
}

Status OptionalStringArray(const nlohmann::json& p, std::string_view key) {
  const nlohmann::json* v = Get(p, key);
  if (v == nullptr) return Status::Ok();
  if (!v->is_array()) return Status::InvalidArgument(Field(key) + " must be an array of strings");
  for (std::size_t i = 0; i < v->size(); ++i) {
    const nlohmann::json& e = (*v)[i];
    if (!e.is_string() || e.get_ref<const std::string&>().empty()) {
      return Status::InvalidArgument(Field(key) + "[" + std::to_string(i) +
                                     "] must be a non-empty string");
    }
  }
  return Status::Ok();
}

}  // namespace ct::payload
