// The wire form of API tokens, "ct_<id>_<secret>", and the hashing of their secret.
// The secret is 32 random bytes (OpenSSL RAND_bytes) in unpadded base64url (43 characters, which
// may themselves contain '_'); the store keeps only the hex SHA-256 of that text. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ct {

struct TokenParts {
  std::int64_t id = 0;
  std::string secret;
};

std::string FormatWireToken(std::int64_t id, std::string_view secret);
// InvalidArgument when the text is not "ct_<positive id>_<43 base64url chars>".
Result<TokenParts> ParseWireToken(std::string_view wire);
// Internal when the system's random source fails.
Result<std::string> GenerateTokenSecret();
// Hex SHA-256 of the secret text.
std::string HashTokenSecret(std::string_view secret);
// Constant-time comparison (CRYPTO_memcmp) of HashTokenSecret(secret) with `stored_hash`.
bool TokenSecretMatches(std::string_view secret, std::string_view stored_hash);

}  // namespace ct
