// API token issue and verification (bearer tokens; see token_codec.h for the wire form).
//
// Revocation latency: TokenAuthenticator caches a verified token for `cache_ttl` (default 1 s of
// the injected clock's monotonic time), so a revoked token stops working at most that long after
// RevokeToken. The secret is re-hashed and compared on every request, cache hit or not.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/status.h"
#include "domain/api_token.h"

namespace ct {

class Store;

struct IssuedToken {
  std::string wire;  // "ct_<id>_<secret>": shown once, never stored
  ApiToken token;    // as stored (id assigned, secret_hash set)
};

// Creates a token named `name` with `role`. InvalidArgument for an empty name; the store's
// error (e.g. AlreadyExists for a name in use) otherwise.
Result<IssuedToken> IssueToken(Store& store, const Clock& clock, std::string name, Role role);

// Verifies an Authorization header value ("Bearer ct_..."). Unauthenticated when missing,
// malformed, unknown, wrong secret or revoked; the store's error when it cannot be asked.
Result<ApiToken> Authenticate(Store& store, std::string_view authorization_header);

// Authenticate with a short cache in front of the store. Thread-safe.
class TokenAuthenticator {
 public:
  TokenAuthenticator(Store& store, const Clock& clock, std::int64_t cache_ttl_micros = 1'000'000);
  Result<ApiToken> Authenticate(std::string_view authorization_header);

 private:
  struct Entry {
    ApiToken token;
    std::int64_t expires_mono = 0;
  };
  Store& store_;
  const Clock& clock_;
  const std::int64_t ttl_;
  std::mutex mu_;
  std::unordered_map<std::int64_t, Entry> cache_;  // by token id
};

// The role a caller needs, or nullopt when the route is open.
bool RoleAtLeast(Role have, Role need);

}  // namespace ct
