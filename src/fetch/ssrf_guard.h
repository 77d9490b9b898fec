// SsrfGuard: refuses fetches to addresses inside the operator's own network.
//
// Blocked unless an allowlisted CIDR contains them: loopback (127/8, ::1), private (10/8,
// 172.16/12, 192.168/16, 100.64/10 CGNAT, fc00::/7), link-local (169.254/16, fe80::/10), cloud
// metadata (169.254.169.254, fd00:ec2::254), unspecified (0/8, ::), multicast and reserved
// ranges. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are judged as their IPv4 address.
//
// The guard judges resolved addresses, not host names: the HTTP client calls it for every socket
// it opens (each redirect hop, after DNS), so a public name that resolves to 10.0.0.1 or a
// redirect to http://169.254.169.254/ is refused.
//
// Values; const methods are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct sockaddr;

namespace ct {

// An IPv4 or IPv6 address. IPv4 uses the first 4 bytes of `bytes`.
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};

  static Result<IpAddress> Parse(std::string_view text);
  // nullptr / unknown family -> InvalidArgument.
  static Result<IpAddress> FromSockaddr(const sockaddr* addr);
  std::string ToString() const;
  bool operator==(const IpAddress&) const = default;
};

// "10.0.0.0/8", "fe80::/10", or a bare address (= /32 or /128).
struct Cidr {
  IpAddress base;  // with the host bits cleared
  int prefix = 0;

  static Result<Cidr> Parse(std::string_view text);
  bool Contains(const IpAddress& address) const;
  std::string ToString() const;
};

enum class AddressClass {
  kPublic,
  kLoopback,
  kPrivate,
  kLinkLocal,
  kMetadata,
  kUnspecified,
  kMulticast,
  kReserved,
};

std::string_view AddressClassName(AddressClass c);

// What kind of network an address belongs to (ignores any allowlist).
AddressClass ClassifyAddress(const IpAddress& address);

class SsrfGuard {
 public:
  SsrfGuard() = default;
  explicit SsrfGuard(std::vector<Cidr> allowlist) : allowlist_(std::move(allowlist)) {}
  // InvalidArgument naming the first entry that is not a CIDR.
  static Result<SsrfGuard> FromStrings(const std::vector<std::string>& allowlist);

  // Ok for public addresses and allowlisted ones; PermissionDenied (permanent) otherwise,
  // e.g. "refusing to fetch from 169.254.169.254 (cloud metadata address)".
  Status Check(const IpAddress& address) const;

  const std::vector<Cidr>& allowlist() const { return allowlist_; }

 private:
  std::vector<Cidr> allowlist_;
};

}  // namespace ct
