// Route registration, one function per resource file. Each adds its routes (with access level
// and OpenAPI description) to the router; ApiServer calls them all, later modules add their own
// (e.g. RegisterJobRoutes) through ApiServer::router() before Start().
#pragma once

#include "api/api_context.h"
#include "api/router.h"
#include "core/status.h"

namespace ct {

// GET /posts, GET /posts/{id}, PATCH /posts/{id}, GET /posts/stats, GET /posts/export.csv
Status RegisterPostRoutes(Router& router, ApiContext& context);
// GET /health, GET /ready
Status RegisterHealthRoutes(Router& router, ApiContext& context);
// GET /metrics
Status RegisterMetricsRoutes(Router& router, ApiContext& context);
// GET /openapi.json (generated from the router at first request, after every route is known)
Status RegisterOpenApiRoutes(Router& router, ApiContext& context);
// GET / (placeholder until the dashboard is served)
Status RegisterIndexRoutes(Router& router, ApiContext& context);

// The OpenAPI 3.1 document for every route of `router`.
std::string BuildOpenApiDocument(const Router& router);

}  // namespace ct
