// ApiServer: the REST API process core. Wires HttpServer + Router + the resource handlers and
// runs every request through one pipeline: CORS (allowlist), route lookup (404/405 with Allow),
// authentication and role check (401/403), the handler (an exception becomes a logged 500), and
// per-route metrics.
//
// Usage (app/cmd_api.cc):
//   ApiServer server(config.server, *store, clock);
//   RegisterJobRoutes(server.router(), server.context());   // optional, before Start
//   CT_RETURN_IF_ERROR(server.Start());  ...  server.Stop();
//
// Thread safety: register routes and metrics before Start(); Start/Stop/port from any thread.
// Stop() is idempotent and also run by the destructor. `store` and `clock` must outlive it.
#pragma once

#include <memory>

#include "api/api_context.h"
#include "api/metrics.h"
#include "api/router.h"
#include "core/config.h"
#include "core/status.h"

namespace ct {

class Clock;
class Store;

class ApiServer {
 public:
  ApiServer(const ServerConfig& config, Store& store, const Clock& clock);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Freezes the router, then binds and serves. Errors name the listen address.
  Status Start();
  void Stop();
  int port() const;

  Router& router();
  MetricsRegistry& metrics();
  ApiContext& context();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ct
