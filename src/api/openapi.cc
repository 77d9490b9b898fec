// GET /openapi.json: an OpenAPI 3.1 document generated from the registered routes (so it cannot
// forget one), completed with the shared schemas, parameters and the error shape.
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "api/api_errors.h"
#include "api/handlers.h"
#include "core/config.h"

namespace ct {

namespace {

using nlohmann::json;

constexpr const char* kComponents = R"json({
  "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
    "description": "API token ct_<id>_<secret> created with `complaints token create`"}},
  "schemas": {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
      "type": "object", "required": ["code", "message"],
      "properties": {"code": {"type": "string", "examples": ["invalid_argument"]},
                     "message": {"type": "string"}}}}},
    "Engagement": {"type": "object", "properties": {"likes": {"type": "integer"},
      "score": {"type": "integer"}, "comments": {"type": "integer"}}},
    "Post": {"type": "object", "properties": {
      "id": {"type": "integer"}, "source": {"type": "string"},
      "external_id": {"type": "string"}, "url": {"type": "string"},
      "title": {"type": "string"}, "content": {"type": "string"}, "author": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time"},
      "collected_at": {"type": "string", "format": "date-time"},
      "language": {"type": "string"}, "sentiment_score": {"type": "number"},
      "sentiment_label": {"type": "string"}, "is_complaint": {"type": "boolean"},
      "complaint_score": {"type": "number"}, "product": {"type": "string"},
      "country": {"type": "string"}, "relevance_score": {"type": "number"},
      "rating": {"type": ["number", "null"]},
      "engagement": {"$ref": "#/components/schemas/Engagement"},
      "evidence": {"type": "object"}, "metadata": {"type": "object"},
      "answered": {"type": "boolean"},
      "answered_at": {"type": ["string", "null"], "format": "date-time"},
      "answered_by": {"type": "string"}, "answered_method": {"type": "string"},
      "false_positive": {"type": "boolean"}, "content_hash": {"type": "string"}}},
    "PostPage": {"type": "object", "required": ["items", "next_cursor"], "properties": {
      "items": {"type": "array", "items": {"$ref": "#/components/schemas/Post"}},
      "next_cursor": {"type": ["string", "null"]}}},
    "CountByKey": {"type": "object", "properties": {"key": {"type": "string"},
      "count": {"type": "integer"}}},
    "PostStats": {"type": "object", "properties": {
      "total": {"type": "integer"}, "complaints": {"type": "integer"},
      "negative": {"type": "integer"}, "answered": {"type": "integer"},
      "unanswered_complaints": {"type": "integer"}, "bucket": {"type": "string"},
      "timeline": {"type": "array", "items": {"type": "object", "properties": {
        "period": {"type": "string", "format": "date"}, "total": {"type": "integer"},
        "positive": {"type": "integer"}, "neutral": {"type": "integer"},
        "negative": {"type": "integer"}, "complaints": {"type": "integer"}}}},
      "by_source": {"type": "array", "items": {"$ref": "#/components/schemas/CountByKey"}},
      "by_sentiment": {"type": "array", "items": {"$ref": "#/components/schemas/CountByKey"}},
      "by_product": {"type": "array", "items": {"$ref": "#/components/schemas/CountByKey"}},
      "by_language": {"type": "array", "items": {"$ref": "#/components/schemas/CountByKey"}},
      "by_country": {"type": "array", "items": {"$ref": "#/components/schemas/CountByKey"}}}}
  },
  "responses": {
    "Error": {"description": "Error (400 bad input, 401 missing/invalid token, 403 role too weak, 404 not found, 405 wrong method, 413 body too large, 431 headers too large, 5xx server side)",
      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
  },
  "parameters": {
    "source": {"name": "source", "in": "query", "schema": {"type": "string"}, "description": "comma-separated source kinds"},
    "language": {"name": "language", "in": "query", "schema": {"type": "string"}, "description": "comma-separated ISO 639-1 codes"},
    "sentiment": {"name": "sentiment", "in": "query", "schema": {"type": "string"}, "description": "comma-separated: positive, neutral, negative"},
    "product": {"name": "product", "in": "query", "schema": {"type": "string"}, "description": "comma-separated product ids"},
    "country": {"name": "country", "in": "query", "schema": {"type": "string"}, "description": "comma-separated ISO 3166-1 alpha-2 codes"},
    "complaint": {"name": "complaint", "in": "query", "schema": {"type": "boolean"}},
    "answered": {"name": "answered", "in": "query", "schema": {"type": "boolean"}},
    "false_positive": {"name": "false_positive", "in": "query", "schema": {"type": "string", "enum": ["false", "true", "any"], "default": "false"}},
    "since": {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "created_at >= since (ISO 8601)"},
    "until": {"name": "until", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "created_at < until (ISO 8601)"},
    "q": {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "full text: every word must appear"},
    "sort": {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["newest", "oldest", "relevance"], "default": "newest"}}
  }
})json";

// "/posts/{id}" -> ["id"]
std::vector<std::string> PathParams(const std::string& pattern) {
  std::vector<std::string> out;
  for (std::string_view seg : SplitPath(pattern)) {
    if (seg.size() > 2 && seg.front() == '{') out.emplace_back(seg.substr(1, seg.size() - 2));
  }
  return out;
}

}  // namespace

std::string BuildOpenApiDocument(const Router& router) {
  json doc;
  doc["openapi"] = "3.1.0";
  doc["info"] = {{"title", "Complaints tracker API"},
                 {"version", "0.1.0"},
                 {"description",
                  "Public complaints about a company, triaged and searchable. Errors are "
                  "{\"error\":{\"code\",\"message\"}}."}};
  doc["components"] = json::parse(kComponents);
  json paths = json::object();
  for (const auto& route : router.routes()) {
    json op = json::object();
    if (!route->openapi.empty()) {
      op = json::parse(route->openapi, nullptr, false);
      if (op.is_discarded() || !op.is_object()) op = json::object();
    }
    op["summary"] = route->summary;
    std::string op_id = route->method;
    for (char c : route->pattern) op_id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    op["operationId"] = op_id;
    json& params = op["parameters"];
    if (!params.is_array()) params = json::array();
    for (const auto& name : PathParams(route->pattern)) {
      params.push_back(
          {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    }
    if (params.empty()) op.erase("parameters");
    switch (route->access) {
      case Access::kPublic:
        op["security"] = json::array();
        break;
      case Access::kRead:
        // Open unless the server runs with public_reads = false.
        op["security"] = json::array({json::object(), {{"bearer", json::array()}}});
        op["x-required-role"] = "viewer when public_reads is false";
        break;
      case Access::kViewer:
      case Access::kOperator:
      case Access::kAdmin:
        op["security"] = json::array({{{"bearer", json::array()}}});
        op["x-required-role"] = route->access == Access::kViewer     ? "viewer"
                                : route->access == Access::kOperator ? "operator"
                                                                     : "admin";
        break;
    }
    json& responses = op["responses"];
    if (!responses.is_object()) responses = json::object();
    if (responses.empty()) responses["200"] = {{"description", "OK"}};
    responses["default"] = {{"$ref", "#/components/responses/Error"}};
    std::string method = route->method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[route->pattern][method] = std::move(op);
  }
  doc["paths"] = std::move(paths);
  return doc.dump();
}

Status RegisterOpenApiRoutes(Router& router, ApiContext& ctx) {
  const Router& routes = ctx.router;
  // Built once, at the first request: by then every module has registered its routes.
  auto cache = std::make_shared<std::pair<std::once_flag, std::string>>();
  return router.Add(
      {"GET", "/openapi.json", Access::kPublic, "This OpenAPI 3.1 document",
       R"({"responses":{"200":{"description":"OpenAPI document","content":{"application/json":{"schema":{"type":"object"}}}}}})",
       [&routes, cache](const HttpRequest&, const RequestContext&) {
         std::call_once(cache->first, [&] { cache->second = BuildOpenApiDocument(routes); });
         return JsonResponse(cache->second);
       }});
}

}  // namespace ct
