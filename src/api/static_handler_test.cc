// The dashboard's static files through the real server: content types, security headers,
// conditional requests (304), traversal and symlink escapes, the placeholder when not built.
#include "api/static_handler.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "api/api_test_fixture.h"

namespace ct::testing {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

TEST(StaticContentTypeTest, KnownAndUnknownExtensions) {
  EXPECT_EQ(ContentTypeForPath("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeForPath("assets/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeForPath("app.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeForPath("icon.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeForPath("app.js.map"), "application/json");
  EXPECT_EQ(ContentTypeForPath("font.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeForPath("README"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForPath("dir.d/file"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForPath("archive.tar.zst"), "application/octet-stream");
}

TEST(StaticServeTest, RefusesUnsafeRelativePaths) {
  const fs::path root = fs::temp_directory_path() / ("ct_static_unit_" + std::to_string(::getpid()));
  WriteFile(root / "index.html", "<!doctype html>");
  HttpRequest req;
  for (const char* bad : {"..", "../index.html", "assets/../../etc/passwd", "./index.html",
                          "assets//app.js", ".env", "assets/.git", "a\\b"}) {
    HttpResponse res = ServeStaticFile(root.string(), bad, req);
    EXPECT_EQ(res.status, 400) << bad;
    EXPECT_NE(res.body.find("invalid_argument"), std::string::npos) << bad;
    EXPECT_EQ(res.headers.Get("X-Content-Type-Options"), "nosniff") << bad;
  }
  EXPECT_EQ(ServeStaticFile(root.string(), std::string("a\0b", 3), req).status, 400);
  EXPECT_EQ(ServeStaticFile(root.string(), "index.html", req).status, 200);
  EXPECT_EQ(ServeStaticFile((root / "missing").string(), "index.html", req).status, 404);
  fs::remove_all(root);
}

class StaticRoutesTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    web_ = dir_ / "web";
    WriteFile(web_ / "index.html", "<!doctype html><title>Dashboard</title>");
    WriteFile(web_ / "assets" / "app.js", "console.log('dashboard');");
    WriteFile(web_ / "assets" / "app.css", "body{color:#000}");
    WriteFile(web_ / "assets" / "icon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    WriteFile(dir_ / "secret.txt", "TOP-SECRET");
    config_.web_root = web_.string();
  }

  static void ExpectSecurityHeaders(const ClientResponse& r, const std::string& what) {
    EXPECT_EQ(r.Header("Content-Security-Policy"),
              "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        << what;
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(r.Header("Referrer-Policy"), "no-referrer") << what;
  }

  fs::path web_;
};

TEST_F(StaticRoutesTest, ServesIndexAndAssetsWithTypesAndHeaders) {
  StartServer();
  auto index = Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html><title>Dashboard</title>");
  EXPECT_EQ(index.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_FALSE(index.Header("ETag").empty());
  EXPECT_NE(index.Header("Last-Modified").find(" GMT"), std::string::npos);
  EXPECT_EQ(index.Header("Cache-Control"), "no-cache");
  ExpectSecurityHeaders(index, "/");

  const std::pair<const char*, const char*> assets[] = {
      {"/assets/app.js", "text/javascript; charset=utf-8"},
      {"/assets/app.css", "text/css; charset=utf-8"},
      {"/assets/icon.svg", "image/svg+xml"}};
  for (const auto& [path, type] : assets) {
    auto r = Get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.Header("Content-Type"), type) << path;
    ExpectSecurityHeaders(r, path);
  }
  EXPECT_EQ(Get("/assets/app.js").body, "console.log('dashboard');");
}

TEST_F(StaticRoutesTest, ConditionalRequestsAnswer304) {
  StartServer();
  auto first = Get("/assets/app.js");
  const std::string etag = first.Header("ETag");
  ASSERT_FALSE(etag.empty());

  auto same = Get("/assets/app.js", {{"If-None-Match", etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(same.Header("ETag"), etag);
  ExpectSecurityHeaders(same, "304");
  EXPECT_EQ(Get("/assets/app.js", {{"If-None-Match", "\"other\", W/" + etag}}).status, 304);
  EXPECT_EQ(Get("/assets/app.js", {{"If-None-Match", "*"}}).status, 304);
  EXPECT_EQ(Get("/assets/app.js", {{"If-None-Match", "\"stale\""}}).status, 200);

  EXPECT_EQ(Get("/", {{"If-Modified-Since", first.Header("Last-Modified")}}).status, 304);
  EXPECT_EQ(Get("/", {{"If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"}}).status, 200);
  EXPECT_EQ(Get("/", {{"If-Modified-Since", "not a date"}}).status, 200);
  // If-None-Match wins over If-Modified-Since.
  EXPECT_EQ(Get("/", {{"If-None-Match", "\"stale\""},
                      {"If-Modified-Since", first.Header("Last-Modified")}})
                .status,
            200);

  // A rebuilt file gets a new validator.
  WriteFile(web_ / "assets" / "app.js", "console.log('rebuilt, longer');");
  auto changed = Get("/assets/app.js", {{"If-None-Match", etag}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_NE(changed.Header("ETag"), etag);
}

TEST_F(StaticRoutesTest, RefusesTraversalAndSymlinksOutOfTheRoot) {
  fs::create_symlink(dir_ / "secret.txt", web_ / "assets" / "leak.txt");
  fs::create_symlink(dir_, web_ / "assets" / "up");
  WriteFile(web_ / "assets" / "inside.txt", "ok");
  fs::create_symlink(web_ / "assets" / "inside.txt", web_ / "assets" / "alias.txt");
  fs::create_directories(web_ / "assets" / "sub");
  StartServer();

  const char* refused[] = {
      "/assets/..",           "/assets/%2e%2e",          "/assets/..%2fsecret.txt",
      "/assets/%2e%2e%2f%2e%2e%2fsecret.txt", "/assets/../../secret.txt",
      "/assets/leak.txt",     "/assets/up",              "/assets/up/secret.txt",
      "/assets/.hidden",      "/assets/sub",             "/assets/missing.js",
      "/assets/%5c..%5csecret.txt",
  };
  for (const char* path : refused) {
    auto r = Get(path);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << path << " -> " << r.status;
    EXPECT_EQ(r.body.find("TOP-SECRET"), std::string::npos) << path;
    EXPECT_NE(r.body.find("\"error\""), std::string::npos) << path;
  }
  auto missing = Get("/assets/missing.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.Header("Content-Type").find("application/json"), std::string::npos);
  EXPECT_NE(missing.body.find("not_found"), std::string::npos);
  ExpectSecurityHeaders(missing, "404");
  EXPECT_EQ(Get("/assets/%2e%2e").status, 400);

  // A symlink that stays inside the root is fine.
  auto alias = Get("/assets/alias.txt");
  EXPECT_EQ(alias.status, 200);
  EXPECT_EQ(alias.body, "ok");
}

TEST_F(StaticRoutesTest, PlaceholderUntilTheDashboardIsBuilt) {
  config_.web_root = (dir_ / "not-built").string();
  StartServer();
  auto index = Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("not built yet"), std::string::npos);
  EXPECT_NE(index.body.find("npm run build"), std::string::npos);
  ExpectSecurityHeaders(index, "placeholder");
  EXPECT_EQ(Get("/assets/app.js").status, 404);

  // Building later is picked up without a restart.
  WriteFile(dir_ / "not-built" / "index.html", "<!doctype html><p>built");
  EXPECT_EQ(Get("/").body, "<!doctype html><p>built");
}

}  // namespace
}  // namespace ct::testing
