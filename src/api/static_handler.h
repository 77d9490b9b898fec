// The dashboard's static files (web/dist, built by `npm run build` in web/): GET / serves
// index.html, GET /assets/{file} the bundle. When the directory has no index.html, GET / serves
// a placeholder page that says how to build the UI, and /assets/* answer 404.
//
// Safety: one path segment under assets/, no "..", no hidden names, no NUL; the resolved file
// must be a regular file inside the canonical root (a symlink pointing outside is refused).
// Caching: ETag (size + mtime) with If-None-Match -> 304, Last-Modified with If-Modified-Since,
// Cache-Control: no-cache (file names carry no hash, so browsers revalidate; 304 is cheap).
// Every response carries the dashboard's Content-Security-Policy (no inline script or style,
// same-origin only), X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer.
//
// Thread safety: the handlers read the file system on each request and hold no state.
#pragma once

#include <string>
#include <string_view>

#include "api/api_context.h"
#include "api/http_types.h"
#include "api/router.h"
#include "core/status.h"

namespace ct {

inline constexpr std::string_view kDashboardCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// GET / and GET /assets/{file} from `root_dir` (relative paths are resolved against the working
// directory at each request, so a dashboard built after start is picked up).
Status RegisterStaticRoutes(Router& router, ApiContext& context, std::string root_dir);

// The response for `relative` (e.g. "index.html", "assets/app.js") under `root_dir`: 200 with
// the file, 304 when the request's validators match, 404 JSON when missing or refused.
HttpResponse ServeStaticFile(const std::string& root_dir, std::string_view relative,
                             const HttpRequest& request);

// "text/javascript; charset=utf-8" for "app.js"; application/octet-stream when unknown.
std::string_view ContentTypeForPath(std::string_view path);

// Sets the CSP and the other hardening headers on a dashboard response.
void SetDashboardSecurityHeaders(HttpHeaders& headers);

}  // namespace ct
