// Router: maps method + path pattern to a handler. Patterns are literal segments and `{name}`
// segments ("/posts/{id}"); a literal segment wins over a parameter ("/posts/stats" before
// "/posts/{id}"); a trailing slash is ignored. Each route declares who may call it and carries
// its OpenAPI description, so /openapi.json is generated from what is actually registered.
//
// Thread safety: register every route before the server starts (Add after Freeze fails);
// afterwards Find and routes() are read-only and safe from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "core/status.h"
#include "domain/api_token.h"

namespace ct {

// Who may call a route.
enum class Access {
  kPublic,  // anyone, always (health, metrics, openapi)
  kRead,    // anyone when server.public_reads, else a viewer token
  kViewer,  // a token of at least this role
  kOperator,
  kAdmin,
};

// What the pipeline knows about the caller when the handler runs.
struct RequestContext {
  std::optional<ApiToken> token;  // set when the request carried a valid token
};

using RouteHandler = std::function<HttpResponse(const HttpRequest&, const RequestContext&)>;

struct Route {
  std::string method;   // "GET", "PATCH", ...
  std::string pattern;  // "/posts/{id}"
  Access access = Access::kRead;
  std::string summary;  // one line, for OpenAPI
  // Optional OpenAPI operation members as a JSON object text (parameters, requestBody,
  // responses...). Path parameters, security and default error responses are added for you.
  std::string openapi;
  RouteHandler handler;

  std::size_t index = 0;  // position in registration order; set by Router::Add
};

class Router {
 public:
  struct Match {
    const Route* route = nullptr;  // set when found
    std::map<std::string, std::string> params;
    int status = 200;                  // 404 unknown path, 405 wrong method
    std::vector<std::string> allowed;  // methods for the path (405 and CORS preflight)
  };

  // InvalidArgument for a malformed pattern or a duplicate method+pattern;
  // FailedPrecondition after Freeze().
  Status Add(Route route);
  Match Find(std::string_view method, std::string_view path) const;
  void Freeze() { frozen_ = true; }
  // In registration order.
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  struct Compiled {
    std::vector<std::string> segments;  // "{id}" kept as is
    std::size_t literals = 0;
  };
  std::vector<std::unique_ptr<Route>> routes_;
  std::vector<Compiled> compiled_;
  bool frozen_ = false;
};

// "/a/b/" -> {"a","b"}; "/" -> {}.
std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace ct
