// Liveness (no I/O: the process answers) and readiness (the store answers).
#include "api/api_errors.h"
#include "api/handlers.h"
#include "store/store.h"

namespace ct {

Status RegisterHealthRoutes(Router& router, ApiContext& ctx) {
  Store& store = ctx.store;
  CT_RETURN_IF_ERROR(router.Add({"GET", "/health", Access::kPublic, "Liveness (no I/O)",
                                 R"({"responses":{"200":{"description":"The process is up"}}})",
                                 [](const HttpRequest&, const RequestContext&) {
                                   return JsonResponse(R"({"status":"ok"})");
                                 }}));
  CT_RETURN_IF_ERROR(router.Add(
      {"GET", "/ready", Access::kPublic, "Readiness: the store answers",
       R"({"responses":{"200":{"description":"Ready"},"503":{"description":"Store unreachable",
           "content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}}}})",
       [&store](const HttpRequest&, const RequestContext&) {
         Status s = store.Ping();
         if (!s.ok()) return ErrorResponse(503, "unavailable", "store: " + s.message());
         return JsonResponse(R"({"status":"ready"})");
       }}));
  return Status::Ok();
}

}  // namespace ct
