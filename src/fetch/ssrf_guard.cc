#include "fetch/ssrf_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>

namespace ct {
namespace {

IpAddress V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress ip;
  ip.bytes[0] = a;
  ip.bytes[1] = b;
  ip.bytes[2] = c;
  ip.bytes[3] = d;
  return ip;
}

// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as its IPv4 address; others unchanged.
IpAddress Unmap(const IpAddress& ip) {
  if (!ip.v6) return ip;
  for (int i = 0; i < 10; ++i)
    if (ip.bytes[i] != 0) return ip;
  if (ip.bytes[10] != 0xff || ip.bytes[11] != 0xff) return ip;
  return V4(ip.bytes[12], ip.bytes[13], ip.bytes[14], ip.bytes[15]);
}

bool InRange(const IpAddress& ip, const char* cidr) {
  auto c = Cidr::Parse(cidr);
  return c.ok() && c->Contains(ip);
}

}  // namespace

Result<IpAddress> IpAddress::Parse(std::string_view text) {
  std::string s(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  IpAddress ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
  ip.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) return ip;
  return Status::InvalidArgument("'" + std::string(text) + "' is not an IP address");
}

Result<IpAddress> IpAddress::FromSockaddr(const sockaddr* addr) {
  if (addr == nullptr) return Status::InvalidArgument("no address");
  IpAddress ip;
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    std::memcpy(ip.bytes.data(), &in->sin_addr, 4);
    return ip;
  }
  if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    ip.v6 = true;
    std::memcpy(ip.bytes.data(), &in6->sin6_addr, 16);
    return ip;
  }
  return Status::InvalidArgument("unsupported address family " + std::to_string(addr->sa_family));
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

Result<Cidr> Cidr::Parse(std::string_view text) {
  const auto slash = text.find('/');
  auto ip = IpAddress::Parse(text.substr(0, slash));
  if (!ip.ok()) return Status::InvalidArgument("'" + std::string(text) + "' is not a CIDR");
  Cidr c;
  c.base = *ip;
  const int max = ip->v6 ? 128 : 32;
  c.prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), c.prefix);
    if (ec != std::errc() || end != p.data() + p.size() || c.prefix < 0 || c.prefix > max)
      return Status::InvalidArgument("'" + std::string(text) + "' has an invalid prefix length");
  }
  for (int bit = c.prefix; bit < max; ++bit) c.base.bytes[bit / 8] &= ~(0x80 >> (bit % 8));
  return c;
}

bool Cidr::Contains(const IpAddress& address) const {
  const IpAddress a = base.v6 ? address : Unmap(address);
  if (a.v6 != base.v6) return false;
  for (int bit = 0; bit < prefix; ++bit) {
    const std::uint8_t mask = 0x80 >> (bit % 8);
    if ((a.bytes[bit / 8] & mask) != (base.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

std::string Cidr::ToString() const { return base.ToString() + "/" + std::to_string(prefix); }

std::string_view AddressClassName(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic: return "public";
    case AddressClass::kLoopback: return "loopback";
    case AddressClass::kPrivate: return "private";
    case AddressClass::kLinkLocal: return "link-local";
    case AddressClass::kMetadata: return "cloud metadata";
    case AddressClass::kUnspecified: return "unspecified";
    case AddressClass::kMulticast: return "multicast";
    case AddressClass::kReserved: return "reserved";
  }
  return "unknown";
}

AddressClass ClassifyAddress(const IpAddress& address) {
  const IpAddress ip = Unmap(address);
  if (!ip.v6) {
    if (InRange(ip, "169.254.169.254/32") || InRange(ip, "100.100.100.200/32"))
      return AddressClass::kMetadata;  // AWS/GCP/Azure/OpenStack; Alibaba
    if (InRange(ip, "127.0.0.0/8")) return AddressClass::kLoopback;
    if (InRange(ip, "0.0.0.0/8")) return AddressClass::kUnspecified;
    if (InRange(ip, "10.0.0.0/8") || InRange(ip, "172.16.0.0/12") ||
        InRange(ip, "192.168.0.0/16") || InRange(ip, "100.64.0.0/10"))
      return AddressClass::kPrivate;
    if (InRange(ip, "169.254.0.0/16")) return AddressClass::kLinkLocal;
    if (InRange(ip, "224.0.0.0/4")) return AddressClass::kMulticast;
    if (InRange(ip, "240.0.0.0/4") || InRange(ip, "192.0.0.0/24") ||
        InRange(ip, "198.18.0.0/15") || InRange(ip, "192.0.2.0/24") ||
        InRange(ip, "198.51.100.0/24") || InRange(ip, "203.0.113.0/24"))
      return AddressClass::kReserved;
    return AddressClass::kPublic;
  }
  if (InRange(ip, "fd00:ec2::254/128")) return AddressClass::kMetadata;
  if (InRange(ip, "::1/128")) return AddressClass::kLoopback;
  if (InRange(ip, "::/128")) return AddressClass::kUnspecified;
  if (InRange(ip, "fc00::/7")) return AddressClass::kPrivate;
  if (InRange(ip, "fe80::/10")) return AddressClass::kLinkLocal;
  if (InRange(ip, "ff00::/8")) return AddressClass::kMulticast;
  // NAT64 embeds IPv4: judge the embedded address.
  if (InRange(ip, "64:ff9b::/96"))
    return ClassifyAddress(V4(ip.bytes[12], ip.bytes[13], ip.bytes[14], ip.bytes[15]));
  if (InRange(ip, "::/96") || InRange(ip, "2001:db8::/32") || InRange(ip, "100::/64"))
    return AddressClass::kReserved;
  return AddressClass::kPublic;
}

Result<SsrfGuard> SsrfGuard::FromStrings(const std::vector<std::string>& allowlist) {
  std::vector<Cidr> cidrs;
  for (const auto& s : allowlist) {
    auto c = Cidr::Parse(s);
    if (!c.ok()) return c.status();
    cidrs.push_back(*c);
  }
  return SsrfGuard(std::move(cidrs));
}

Status SsrfGuard::Check(const IpAddress& address) const {
  const AddressClass c = ClassifyAddress(address);
  if (c == AddressClass::kPublic) return Status::Ok();
  for (const auto& cidr : allowlist_)
    if (cidr.Contains(address)) return Status::Ok();
  return Status::PermissionDenied("refusing to fetch from " + address.ToString() + " (" +
                                  std::string(AddressClassName(c)) +
                                  " address; allowlist it in [fetch].allow_networks)");
}

}  // namespace ct
