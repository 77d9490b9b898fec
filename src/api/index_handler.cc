#include "api/handlers.h"

namespace ct {

namespace {

constexpr const char* kIndexHtml = R"html(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Complaints tracker</title></head>
<body>
<h1>Complaints tracker</h1>
<p>The dashboard is not installed yet. The API is here:</p>
<ul>
<li><a href="/posts">/posts</a> &mdash; posts, newest first</li>
<li><a href="/posts/stats">/posts/stats</a> &mdash; aggregates</li>
<li><a href="/openapi.json">/openapi.json</a> &mdash; the API description</li>
<li><a href="/health">/health</a>, <a href="/ready">/ready</a>, <a href="/metrics">/metrics</a></li>
</ul>
</body>
</html>
)html";

}  // namespace

Status RegisterIndexRoutes(Router& router, ApiContext&) {
  return router.Add(
      {"GET", "/", Access::kPublic, "Placeholder home page",
       R"({"responses":{"200":{"description":"HTML","content":{"text/html":{"schema":{"type":"string"}}}}}})",
       [](const HttpRequest&, const RequestContext&) {
         HttpResponse res;
         res.headers.Set("Content-Type", "text/html; charset=utf-8");
         res.headers.Set("Content-Security-Policy", "default-src 'self'");
         res.body = kIndexHtml;
         return res;
       }});
}

}  // namespace ct
