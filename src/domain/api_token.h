// API tokens: bearer credentials for writes (and for reads when reads are not public).
// The secret is shown once at creation; the store keeps only its SHA-256.
// Wire form: "ct_<id>_<secret>", so the row is found by id and the hash compared in constant
// time (see api/auth.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "domain/post.h"

namespace ct {

enum class Role { kViewer = 1, kOperator = 2, kAdmin = 3 };  // ordered: admin > operator > viewer

std::string_view RoleName(Role role);
Result<Role> ParseRole(std::string_view name);

struct ApiToken {
  std::int64_t id = 0;  // assigned by the store
  std::string name;
  Role role = Role::kViewer;
  std::string secret_hash;  // hex SHA-256 of the secret part
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> revoked_at;
  bool operator==(const ApiToken&) const = default;
};

}  // namespace ct
