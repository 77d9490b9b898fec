#include "jobs/job_registry.h"

#include <nlohmann/json.hpp>

namespace ct {

Status JobRegistry::Register(JobTypeSpec spec) {
  if (spec.name.empty()) return Status::InvalidArgument("job type without a name");
  if (!spec.handler) return Status::InvalidArgument("job type " + spec.name + " has no handler");
  if (types_.contains(spec.name)) {
    return Status::AlreadyExists("job type " + spec.name + " registered twice");
  }
  std::string name = spec.name;
  types_.emplace(std::move(name), std::move(spec));
  return Status::Ok();
}

const JobTypeSpec* JobRegistry::Find(std::string_view type) const {
  auto it = types_.find(type);
  return it == types_.end() ? nullptr : &it->second;
}

Status JobRegistry::ValidatePayload(std::string_view type, std::string_view payload_json) const {
  const JobTypeSpec* spec = Find(type);
  if (spec == nullptr) {
    std::string known;
    for (const auto& [name, unused] : types_) known += (known.empty() ? "" : ", ") + name;
    return Status::InvalidArgument("unknown job type '" + std::string(type) + "' (known: " +
                                   known + ")");
  }
  nlohmann::json payload = nlohmann::json::parse(payload_json, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded()) return Status::InvalidArgument("payload is not valid JSON");
  if (!payload.is_object()) return Status::InvalidArgument("payload must be a JSON object");
  if (spec->validate) return spec->validate(payload);
  return Status::Ok();
}

std::vector<std::string> JobRegistry::Types() const {
  std::vector<std::string> names;
  for (const auto& [name, unused] : types_) names.push_back(name);
  return names;
}

}  // namespace ct
