#include "api/token_codec.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <charconv>

namespace ct {

namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kSecretChars = 43;  // unpadded base64url of 32 bytes
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::string Base64UrlEncode(const unsigned char* data, std::size_t n) {
  std::string out;
  out.reserve((n * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kBase64Url[(v >> s) & 63];
  }
  if (n - i == 1) {
    std::uint32_t v = data[i] << 16;
    out += kBase64Url[(v >> 18) & 63];
    out += kBase64Url[(v >> 12) & 63];
  } else if (n - i == 2) {
    std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8);
    out += kBase64Url[(v >> 18) & 63];
    out += kBase64Url[(v >> 12) & 63];
    out += kBase64Url[(v >> 6) & 63];
  }
  return out;
}

}  // namespace

std::string FormatWireToken(std::int64_t id, std::string_view secret) {
  return "ct_" + std::to_string(id) + "_" + std::string(secret);
}

Result<TokenParts> ParseWireToken(std::string_view wire) {
  auto bad = [] { return Status::InvalidArgument("token is not of the form ct_<id>_<secret>"); };
  if (wire.substr(0, 3) != "ct_") return bad();
  wire.remove_prefix(3);
  std::size_t sep = wire.find('_');
  if (sep == std::string_view::npos || sep == 0 || sep > 18) return bad();
  TokenParts parts;
  auto [ptr, ec] = std::from_chars(wire.data(), wire.data() + sep, parts.id);
  if (ec != std::errc() || ptr != wire.data() + sep || parts.id <= 0) return bad();
  std::string_view secret = wire.substr(sep + 1);
  if (secret.size() != kSecretChars) return bad();
  for (char c : secret) {
    if (!IsBase64UrlChar(c)) return bad();
  }
  parts.secret = std::string(secret);
  return parts;
}

Result<std::string> GenerateTokenSecret() {
  std::array<unsigned char, kSecretBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Status::Internal("RAND_bytes failed: no secure random source");
  }
  std::string secret = Base64UrlEncode(bytes.data(), bytes.size());
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return secret;
}

std::string HashTokenSecret(std::string_view secret) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * SHA256_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

bool TokenSecretMatches(std::string_view secret, std::string_view stored_hash) {
  std::string computed = HashTokenSecret(secret);
  if (stored_hash.size() != computed.size()) return false;
  return CRYPTO_memcmp(computed.data(), stored_hash.data(), computed.size()) == 0;
}

}  // namespace ct
