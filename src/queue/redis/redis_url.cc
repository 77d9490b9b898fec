#include "queue/redis/redis_url.h"

#include <charconv>

namespace ct {
namespace {

bool ParseInt(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

Result<RedisEndpoint> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::InvalidArgument("redis url must start with redis://: '" + std::string(url) +
                                   "'");
  }
  std::string_view rest = url.substr(kScheme.size());
  RedisEndpoint ep;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      ep.user = std::string(userinfo.substr(0, colon));
      ep.password = std::string(userinfo.substr(colon + 1));
    } else {
      ep.password = std::string(userinfo);  // redis://secret@host: a bare password
    }
  }
  std::string_view hostport = rest;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && (!ParseInt(db, ep.db) || ep.db < 0)) {
      return Status::InvalidArgument("redis url: bad database number '" + std::string(db) + "'");
    }
  }
  if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    const std::string_view port = hostport.substr(colon + 1);
    if (!ParseInt(port, ep.port) || ep.port <= 0 || ep.port > 65535) {
      return Status::InvalidArgument("redis url: bad port '" + std::string(port) + "'");
    }
    hostport = hostport.substr(0, colon);
  }
  if (hostport.empty()) return Status::InvalidArgument("redis url: missing host");
  ep.host = std::string(hostport);
  return ep;
}

}  // namespace ct
