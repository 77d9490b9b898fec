#include "api/auth.h"

#include "api/token_codec.h"
#include "store/store.h"

namespace ct {

namespace {

Result<TokenParts> ParseAuthorization(std::string_view header) {
  if (header.empty()) return Status::Unauthenticated("missing bearer token");
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size())
    return Status::Unauthenticated("malformed Authorization header");
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    char k = kScheme[i];
    if (k >= 'A' && k <= 'Z') k = static_cast<char>(k - 'A' + 'a');
    if (c != k) return Status::Unauthenticated("Authorization must use the Bearer scheme");
  }
  std::string_view wire = header.substr(kScheme.size());
  while (!wire.empty() && wire.front() == ' ') wire.remove_prefix(1);
  while (!wire.empty() && wire.back() == ' ') wire.remove_suffix(1);
  auto parts = ParseWireToken(wire);
  if (!parts.ok()) return Status::Unauthenticated("malformed bearer token");
  return parts;
}

Result<ApiToken> Verify(const ApiToken& token, std::string_view secret) {
  if (!TokenSecretMatches(secret, token.secret_hash)) {
    return Status::Unauthenticated("unknown or invalid token");
  }
  if (token.revoked_at) return Status::Unauthenticated("token has been revoked");
  return token;
}

Result<ApiToken> LookUp(Store& store, std::int64_t id) {
  auto token = store.GetToken(id);
  if (!token.ok() && token.status().code() == StatusCode::kNotFound) {
    return Status::Unauthenticated("unknown or invalid token");
  }
  return token;
}

}  // namespace

bool RoleAtLeast(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

Result<IssuedToken> IssueToken(Store& store, const Clock& clock, std::string name, Role role) {
  if (name.empty()) return Status::InvalidArgument("token name must not be empty");
  CT_ASSIGN_OR_RETURN(std::string secret, GenerateTokenSecret());
  ApiToken token;
  token.name = std::move(name);
  token.role = role;
  token.secret_hash = HashTokenSecret(secret);
  token.created_at = clock.NowSeconds();
  CT_ASSIGN_OR_RETURN(ApiToken stored, store.CreateToken(token));
  IssuedToken issued;
  issued.wire = FormatWireToken(stored.id, secret);
  issued.token = std::move(stored);
  return issued;
}

Result<ApiToken> Authenticate(Store& store, std::string_view authorization_header) {
  CT_ASSIGN_OR_RETURN(TokenParts parts, ParseAuthorization(authorization_header));
  CT_ASSIGN_OR_RETURN(ApiToken token, LookUp(store, parts.id));
  return Verify(token, parts.secret);
}

TokenAuthenticator::TokenAuthenticator(Store& store, const Clock& clock,
                                       std::int64_t cache_ttl_micros)
    : store_(store), clock_(clock), ttl_(cache_ttl_micros) {}

Result<ApiToken> TokenAuthenticator::Authenticate(std::string_view authorization_header) {
  CT_ASSIGN_OR_RETURN(TokenParts parts, ParseAuthorization(authorization_header));
  const std::int64_t now = clock_.MonotonicMicros();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(parts.id);
    if (it != cache_.end() && it->second.expires_mono > now) {
      return Verify(it->second.token, parts.secret);
    }
  }
  CT_ASSIGN_OR_RETURN(ApiToken token, LookUp(store_, parts.id));
  auto verified = Verify(token, parts.secret);
  std::lock_guard lock(mu_);
  if (verified.ok()) {
    if (cache_.size() > 10'000) cache_.clear();  // bounded: ids are few in practice
    cache_[parts.id] = Entry{token, now + ttl_};
  } else {
    cache_.erase(parts.id);
  }
  return verified;
}

}  // namespace ct
