// The dashboard's static files. See static_handler.h for the rules.
#include "api/static_handler.h"

#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/api_errors.h"

namespace ct {
namespace {

namespace fs = std::filesystem;

// The bundle is small (tens of KB); anything far larger is not a dashboard asset.
constexpr std::uintmax_t kMaxFileBytes = 32u << 20;

constexpr const char* kPlaceholderHtml = R"html(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Complaints tracker</title></head>
<body>
<h1>Complaints tracker</h1>
<p>The dashboard is not built yet: no <code>index.html</code> in the web root
(<code>server.web_root</code>, env <code>COMPLAINTS_WEB_ROOT</code>, default <code>web/dist</code>).
Build it with <code>scripts/setup-web</code> (or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>)
and reload this page; no restart is needed.</p>
<p>The API is here:</p>
<ul>
<li><a href="/posts">/posts</a> &mdash; posts, newest first</li>
<li><a href="/posts/stats">/posts/stats</a> &mdash; aggregates</li>
<li><a href="/jobs/status">/jobs/status</a> &mdash; the job queue</li>
<li><a href="/openapi.json">/openapi.json</a> &mdash; the API description</li>
<li><a href="/health">/health</a>, <a href="/ready">/ready</a>, <a href="/metrics">/metrics</a></li>
</ul>
</body>
</html>
)html";

HttpResponse NotFound(std::string_view what) {
  HttpResponse res = ErrorResponse(404, "not_found", "no such file: " + std::string(what));
  SetDashboardSecurityHeaders(res.headers);
  return res;
}

// Empty when `relative` is a safe relative path, else what is wrong with it.
std::string CheckRelativePath(std::string_view relative) {
  if (relative.empty()) return "empty path";
  if (relative.size() > 512) return "path too long";
  std::size_t start = 0;
  while (start <= relative.size()) {
    std::size_t end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    const std::string_view seg = relative.substr(start, end - start);
    if (seg.empty()) return "empty path segment";
    if (seg == "." || seg == "..") return "path segment '" + std::string(seg) + "' is not allowed";
    if (seg.front() == '.') return "hidden files are not served";
    for (char c : seg) {
      if (c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 0x20)
        return "path contains a forbidden character";
    }
    start = end + 1;
  }
  return "";
}

// RFC 9110 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::optional<std::time_t> ParseHttpDate(std::string_view text) {
  std::tm tm{};
  const std::string s(text);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return timegm(&tm);
}

// True when an If-None-Match list names `etag` (or is "*"). Weak comparison (RFC 9110 13.1.2).
bool EtagMatches(std::string_view header, std::string_view etag) {
  auto strip_weak = [](std::string_view v) {
    return v.substr(0, 2) == "W/" ? v.substr(2) : v;
  };
  const std::string_view want = strip_weak(etag);
  std::size_t i = 0;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',' || header[i] == '\t')) ++i;
    if (i >= header.size()) break;
    std::size_t end = header.find(',', i);
    if (end == std::string_view::npos) end = header.size();
    std::string_view item = header.substr(i, end - i);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*" || strip_weak(item) == want) return true;
    i = end;
  }
  return false;
}

}  // namespace

void SetDashboardSecurityHeaders(HttpHeaders& headers) {
  headers.Set("Content-Security-Policy", std::string(kDashboardCsp));
  headers.Set("X-Content-Type-Options", "nosniff");
  headers.Set("Referrer-Policy", "no-referrer");
}

std::string_view ContentTypeForPath(std::string_view path) {
  const std::size_t dot = path.rfind('.');
  const std::size_t slash = path.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return "application/octet-stream";
  std::string ext(path.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  struct Entry {
    std::string_view ext, type;
  };
  static constexpr Entry kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"woff2", "font/woff2"},
      {"woff", "font/woff"},
      {"txt", "text/plain; charset=utf-8"},
      {"webmanifest", "application/manifest+json"},
  };
  for (const Entry& e : kTypes)
    if (e.ext == ext) return e.type;
  return "application/octet-stream";
}

HttpResponse ServeStaticFile(const std::string& root_dir, std::string_view relative,
                             const HttpRequest& request) {
  if (std::string problem = CheckRelativePath(relative); !problem.empty()) {
    HttpResponse res = ErrorResponse(400, "invalid_argument",
                                     "refused path '" + std::string(relative) + "': " + problem);
    SetDashboardSecurityHeaders(res.headers);
    return res;
  }
  std::error_code ec;
  const fs::path root = fs::canonical(root_dir, ec);
  if (ec) return NotFound(relative);
  // canonical() follows every symlink, so a link that leads out of the root is caught here.
  const fs::path file = fs::canonical(root / fs::path(std::string(relative)), ec);
  if (ec) return NotFound(relative);
  const auto [root_end, file_it] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  if (root_end != root.end()) return NotFound(relative);

  struct stat st{};
  if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return NotFound(relative);
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxFileBytes) return NotFound(relative);

  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size),
                static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1'000'000'000ull +
                    static_cast<unsigned long long>(st.st_mtim.tv_nsec));
  const std::string last_modified = HttpDate(st.st_mtim.tv_sec);

  HttpResponse res;
  SetDashboardSecurityHeaders(res.headers);
  res.headers.Set("ETag", etag);
  res.headers.Set("Last-Modified", last_modified);
  res.headers.Set("Cache-Control", "no-cache");

  bool not_modified = false;
  if (auto inm = request.headers.Get("If-None-Match")) {
    not_modified = EtagMatches(*inm, etag);
  } else if (auto ims = request.headers.Get("If-Modified-Since")) {
    const auto since = ParseHttpDate(*ims);
    not_modified = since && st.st_mtim.tv_sec <= *since;
  }
  if (not_modified) {
    res.status = 304;
    return res;
  }

  std::ifstream in(file, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  if (!in && !in.eof()) return ErrorResponse(Status::Internal("cannot read " + file.string()));
  res.headers.Set("Content-Type", std::string(ContentTypeForPath(file.filename().string())));
  res.body = std::move(body).str();
  return res;
}

Status RegisterStaticRoutes(Router& router, ApiContext&, std::string root_dir) {
  CT_RETURN_IF_ERROR(router.Add(
      {"GET", "/", Access::kPublic,
       "The dashboard (web/dist/index.html), or a page saying how to build it",
       R"({"responses":{"200":{"description":"HTML","content":{"text/html":{"schema":{"type":"string"}}}},"304":{"description":"Not modified"}}})",
       [root_dir](const HttpRequest& req, const RequestContext&) {
         std::error_code ec;
         if (fs::is_regular_file(fs::path(root_dir) / "index.html", ec))
           return ServeStaticFile(root_dir, "index.html", req);
         HttpResponse res;
         SetDashboardSecurityHeaders(res.headers);
         res.headers.Set("Content-Type", "text/html; charset=utf-8");
         res.headers.Set("Cache-Control", "no-cache");
         res.body = kPlaceholderHtml;
         return res;
       }}));
  return router.Add(
      {"GET", "/assets/{file}", Access::kPublic, "A file of the dashboard bundle (JS, CSS, icons)",
       R"({"responses":{"200":{"description":"The file, with its Content-Type, ETag and Last-Modified"},"304":{"description":"Not modified"}}})",
       [root_dir](const HttpRequest& req, const RequestContext&) {
         auto it = req.path_params.find("file");
         const std::string name = it == req.path_params.end() ? "" : it->second;
         if (name.empty() || name.front() == '.' || name.find('/') != std::string::npos)
           return ServeStaticFile(root_dir, name, req);  // refused with the reason
         return ServeStaticFile(root_dir, "assets/" + name, req);
       }});
}

}  // namespace ct
