#include "api/api_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <optional>

#include "api/api_errors.h"
#include "api/auth.h"
#include "api/handlers.h"
#include "api/http_metrics.h"
#include "api/http_server.h"
#include "core/clock.h"

namespace ct {

namespace {

std::optional<Role> RequiredRole(Access access, bool public_reads) {
  switch (access) {
    case Access::kPublic:
      return std::nullopt;
    case Access::kRead:
      return public_reads ? std::nullopt : std::optional(Role::kViewer);
    case Access::kViewer:
      return Role::kViewer;
    case Access::kOperator:
      return Role::kOperator;
    case Access::kAdmin:
      return Role::kAdmin;
  }
  return Role::kAdmin;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

}  // namespace

class ApiServer::Impl {
 public:
  Impl(const ServerConfig& config, Store& store, const Clock& clock)
      : config_(config),
        clock_(clock),
        auth_(store, clock),
        context_{store, clock, config_, metrics_, router_} {}

  Status RegisterBuiltins() {
    CT_RETURN_IF_ERROR(RegisterIndexRoutes(router_, context_));
    CT_RETURN_IF_ERROR(RegisterHealthRoutes(router_, context_));
    CT_RETURN_IF_ERROR(RegisterMetricsRoutes(router_, context_));
    CT_RETURN_IF_ERROR(RegisterOpenApiRoutes(router_, context_));
    return RegisterPostRoutes(router_, context_);
  }

  Status Start() {
    if (server_) return Status::FailedPrecondition("API server already started");
    router_.Freeze();
    http_metrics_ = std::make_unique<HttpMetrics>(metrics_, router_);
    server_ = std::make_unique<HttpServer>(
        config_, [this](HttpRequest& req) { return Handle(req); },
        [this](int status) { http_metrics_->ObserveRejected(status); });
    return server_->Start();
  }

  void Stop() {
    if (server_) server_->Stop();
  }

  int port() const { return server_ ? server_->port() : 0; }

  HttpResponse Handle(HttpRequest& req) {
    const std::int64_t start = clock_.MonotonicMicros();
    const Route* route = nullptr;
    HttpResponse res = Dispatch(req, route);
    ApplyCors(req, res);
    http_metrics_->Observe(route, res.status,
                           static_cast<double>(clock_.MonotonicMicros() - start) / 1e6);
    return res;
  }

  const ServerConfig config_;
  const Clock& clock_;
  MetricsRegistry metrics_;
  Router router_;
  TokenAuthenticator auth_;
  ApiContext context_;
  std::unique_ptr<HttpMetrics> http_metrics_;  // after metrics_: its collector points here
  std::unique_ptr<HttpServer> server_;         // last: stopped and destroyed first

 private:
  bool OriginAllowed(std::string_view origin) const {
    return std::find(config_.cors_origins.begin(), config_.cors_origins.end(), origin) !=
           config_.cors_origins.end();
  }

  void ApplyCors(const HttpRequest& req, HttpResponse& res) const {
    if (config_.cors_origins.empty()) return;
    res.headers.Add("Vary", "Origin");
    auto origin = req.headers.Get("Origin");
    if (origin && OriginAllowed(*origin)) {
      res.headers.Set("Access-Control-Allow-Origin", std::string(*origin));
    }
  }

  HttpResponse Dispatch(HttpRequest& req, const Route*& route_out) {
    Router::Match match = router_.Find(req.method, req.path);
    if (req.method == "OPTIONS" && req.headers.Has("Access-Control-Request-Method") &&
        match.status != 404) {
      return Preflight(req, match);
    }
    if (match.status == 404) {
      return ErrorResponse(404, "not_found", "no route for " + req.path);
    }
    if (match.status == 405) {
      HttpResponse res = ErrorResponse(405, "method_not_allowed",
                                       "method " + req.method + " not allowed on " + req.path +
                                           "; allowed: " + Join(match.allowed));
      res.headers.Set("Allow", Join(match.allowed));
      return res;
    }
    const Route& route = *match.route;
    route_out = &route;
    req.path_params = std::move(match.params);

    RequestContext rc;
    std::optional<Role> need = RequiredRole(route.access, config_.public_reads);
    if (need) {
      auto header = req.headers.Get("Authorization");
      auto token = auth_.Authenticate(header.value_or(""));
      if (!token.ok()) return ErrorResponse(token.status());
      if (!RoleAtLeast(token->role, *need)) {
        return ErrorResponse(403, "permission_denied",
                             "token '" + token->name + "' has role " +
                                 std::string(RoleName(token->role)) + "; " + req.method + " " +
                                 route.pattern + " needs " + std::string(RoleName(*need)));
      }
      rc.token = std::move(token).value();
    }
    try {
      return route.handler(req, rc);
    } catch (const std::exception& e) {
      spdlog::error("api: handler for {} {} threw: {}", route.method, route.pattern, e.what());
    } catch (...) {
      spdlog::error("api: handler for {} {} threw a non-exception", route.method, route.pattern);
    }
    return ErrorResponse(500, "internal", "internal error while handling " + route.pattern);
  }

  HttpResponse Preflight(const HttpRequest& req, const Router::Match& match) const {
    auto origin = req.headers.Get("Origin");
    if (!origin || !OriginAllowed(*origin)) {
      return ErrorResponse(
          403, "cors_origin_not_allowed",
          "origin '" + std::string(origin.value_or("")) + "' is not in server.cors_origins");
    }
    HttpResponse res;
    res.status = 204;
    std::vector<std::string> methods = match.allowed;
    methods.push_back("OPTIONS");
    res.headers.Set("Access-Control-Allow-Methods", Join(methods));
    res.headers.Set("Access-Control-Allow-Headers", "Authorization, Content-Type");
    res.headers.Set("Access-Control-Max-Age", "600");
    return res;
  }
};

ApiServer::ApiServer(const ServerConfig& config, Store& store, const Clock& clock)
    : impl_(std::make_unique<Impl>(config, store, clock)) {
  Status s = impl_->RegisterBuiltins();
  // Built-in routes are fixed at compile time: a failure here is a programming error.
  if (!s.ok()) {
    spdlog::critical("api: registering built-in routes: {}", s.ToString());
    std::terminate();
  }
}

ApiServer::~ApiServer() { Stop(); }
Status ApiServer::Start() { return impl_->Start(); }
void ApiServer::Stop() { impl_->Stop(); }
int ApiServer::port() const { return impl_->port(); }
Router& ApiServer::router() { return impl_->router_; }
MetricsRegistry& ApiServer::metrics() { return impl_->metrics_; }
ApiContext& ApiServer::context() { return impl_->context_; }

}  // namespace ct
