// Plain HTTP request/response values shared by the server, the router and the handlers.
// No Beast here on purpose: handlers and other modules include this header, and Beast's compile
// cost stays inside http_server.cc. Values; not synchronised.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace ct {

// Case-insensitive header list; insertion order is kept for responses.
class HttpHeaders {
 public:
  // First value of `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // Replaces every value of `name`.
  void Set(std::string_view name, std::string value);
  // Appends without replacing (e.g. Vary).
  void Add(std::string_view name, std::string value);
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct HttpRequest {
  std::string method;                             // upper case as sent: "GET", "PATCH", ...
  std::string path;                               // percent-decoded path, without the query string
  std::string target;                             // the raw request target, as sent
  std::multimap<std::string, std::string> query;  // percent-decoded, '+' as space
  HttpHeaders headers;
  std::string body;
  std::string remote_address;  // "ip:port" of the peer
  // Path parameters filled by the router for patterns such as /posts/{id}.
  std::map<std::string, std::string> path_params;
};

// Called repeatedly on a streaming thread (never an I/O thread) to produce a chunked body.
// Appends the next chunk to `chunk` (which arrives empty) and returns true when more may follow,
// false when this was the last one. An error aborts the connection without the terminating
// chunk, so clients see the transfer as truncated rather than complete. Producers must return
// within a bounded time (a few seconds at most) so the server can stop.
using BodyProducer = std::function<Result<bool>(std::string& chunk)>;

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;
  // When set, `body` is ignored and the body is streamed with chunked transfer encoding; the
  // connection is closed after the last chunk.
  BodyProducer producer;
};

// Splits "a=1&b=x%20y" into decoded pairs. Fails on malformed percent escapes.
Result<std::multimap<std::string, std::string>> ParseQueryString(std::string_view query);
// Percent-decodes a path ('+' stays a plus). Fails on malformed escapes.
Result<std::string> PercentDecode(std::string_view text, bool plus_as_space);

}  // namespace ct
