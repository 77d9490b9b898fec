#include "api/handlers.h"
#include "api/metrics.h"

namespace ct {

Status RegisterMetricsRoutes(Router& router, ApiContext& ctx) {
  MetricsRegistry& registry = ctx.metrics;
  return router.Add(
      {"GET", "/metrics", Access::kPublic, "Prometheus metrics (text exposition 0.0.4)",
       R"({"responses":{"200":{"description":"Metrics","content":{"text/plain":{"schema":{"type":"string"}}}}}})",
       [&registry](const HttpRequest&, const RequestContext&) {
         HttpResponse res;
         res.headers.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
         res.body = registry.Render();
         return res;
       }});
}

}  // namespace ct
