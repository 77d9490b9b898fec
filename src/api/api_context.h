// ApiContext: what route handlers may use, handed to each Register*Routes function. References
// owned by ApiServer (or by whoever builds the context); valid while the server lives.
#pragma once

namespace ct {

class Clock;
class MetricsRegistry;
class Router;
class Store;
struct ServerConfig;

struct ApiContext {
  Store& store;
  const Clock& clock;
  const ServerConfig& config;
  MetricsRegistry& metrics;
  const Router& router;
};

}  // namespace ct
