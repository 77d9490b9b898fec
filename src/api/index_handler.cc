#include "api/handlers.h"
#include "api/static_handler.h"
#include "core/config.h"

namespace ct {

// GET / is the dashboard, served from server.web_root (or a page saying how to build it), with
// its bundle under /assets/.
Status RegisterIndexRoutes(Router& router, ApiContext& context) {
  return RegisterStaticRoutes(router, context, context.config.web_root);
}

}  // namespace ct
