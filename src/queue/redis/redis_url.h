// RedisEndpoint: where and how to reach a Redis server, parsed from a URL.
//
//   redis://[[user]:password@]host[:port][/db]     (port 6379, db 0 by default)
//
// Pure value; thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace ct {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;      // "" = default user (AUTH with password only)
  std::string password;  // "" = no AUTH
  int db = 0;            // SELECTed on every new connection when non-zero
};

// InvalidArgument naming the bad part for anything but a well-formed redis:// URL.
Result<RedisEndpoint> ParseRedisUrl(std::string_view url);

}  // namespace ct
