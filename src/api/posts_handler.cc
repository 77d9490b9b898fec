// The /posts resource: parse (post_params), call the store, render (post_json / post_csv).
#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/api_errors.h"
#include "api/handlers.h"
#include "api/post_csv.h"
#include "api/post_json.h"
#include "api/post_params.h"
#include "core/clock.h"
#include "store/store.h"

namespace ct {

namespace {

Result<std::int64_t> PostId(const HttpRequest& req) {
  auto it = req.path_params.find("id");
  const std::string& text = it == req.path_params.end() ? std::string() : it->second;
  std::int64_t id = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || ptr != text.data() + text.size() || id <= 0) {
    return Status::InvalidArgument("post id must be a positive integer, got '" + text + "'");
  }
  return id;
}

Result<TriagePatch> ParseTriagePatch(const HttpRequest& req) {
  auto type = req.headers.Get("Content-Type");
  if (type && type->substr(0, 16) != "application/json") {
    return Status::InvalidArgument("Content-Type must be application/json, got '" +
                                   std::string(*type) + "'");
  }
  auto body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return Status::InvalidArgument("request body is not valid JSON");
  if (!body.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  if (body.empty()) {
    return Status::InvalidArgument("request body must set 'answered' and/or 'false_positive'");
  }
  TriagePatch patch;
  for (const auto& [key, value] : body.items()) {
    std::optional<bool>* field = key == "answered"         ? &patch.answered
                                 : key == "false_positive" ? &patch.false_positive
                                                           : nullptr;
    if (field == nullptr) return Status::InvalidArgument("unknown field '" + key + "'");
    if (!value.is_boolean()) {
      return Status::InvalidArgument("field '" + key + "' must be a boolean");
    }
    *field = value.get<bool>();
  }
  return patch;
}

// Walks keyset pages of the export so memory stays one page whatever the row count.
struct CsvExport {
  Store& store;
  PostPageRequest request;
  bool header_done = false;

  Result<bool> Next(std::string& chunk) {
    if (!header_done) {
      AppendPostCsvHeader(chunk);
      header_done = true;
    }
    CT_ASSIGN_OR_RETURN(PostPage page, store.ListPosts(request));
    chunk.reserve(chunk.size() + page.items.size() * 800);
    for (const Post& p : page.items) AppendPostCsvRow(chunk, p);
    if (!page.next) return false;
    request.after = page.next;
    return true;
  }
};

constexpr const char* kListDoc = R"json({
  "parameters": [
    {"$ref": "#/components/parameters/source"}, {"$ref": "#/components/parameters/language"},
    {"$ref": "#/components/parameters/sentiment"}, {"$ref": "#/components/parameters/product"},
    {"$ref": "#/components/parameters/country"}, {"$ref": "#/components/parameters/complaint"},
    {"$ref": "#/components/parameters/answered"},
    {"$ref": "#/components/parameters/false_positive"},
    {"$ref": "#/components/parameters/since"}, {"$ref": "#/components/parameters/until"},
    {"$ref": "#/components/parameters/q"}, {"$ref": "#/components/parameters/sort"},
    {"name": "cursor", "in": "query", "schema": {"type": "string"},
     "description": "next_cursor of the previous page (same sort)"},
    {"name": "limit", "in": "query",
     "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}
  ],
  "responses": {"200": {"description": "One page of posts",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PostPage"}}}}}
})json";

constexpr const char* kGetDoc = R"json({
  "responses": {"200": {"description": "The post",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Post"}}}}}
})json";

constexpr const char* kPatchDoc = R"json({
  "requestBody": {"required": true, "content": {"application/json": {"schema": {
    "type": "object", "additionalProperties": false, "minProperties": 1,
    "properties": {"answered": {"type": "boolean"}, "false_positive": {"type": "boolean"}}}}}},
  "responses": {"200": {"description": "The updated post",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Post"}}}}}
})json";

constexpr const char* kStatsDoc = R"json({
  "parameters": [
    {"$ref": "#/components/parameters/source"}, {"$ref": "#/components/parameters/language"},
    {"$ref": "#/components/parameters/sentiment"}, {"$ref": "#/components/parameters/product"},
    {"$ref": "#/components/parameters/country"}, {"$ref": "#/components/parameters/complaint"},
    {"$ref": "#/components/parameters/answered"},
    {"$ref": "#/components/parameters/false_positive"},
    {"$ref": "#/components/parameters/since"}, {"$ref": "#/components/parameters/until"},
    {"$ref": "#/components/parameters/q"},
    {"name": "bucket", "in": "query",
     "schema": {"type": "string", "enum": ["day", "week", "month"], "default": "day"}}
  ],
  "responses": {"200": {"description": "Aggregates over the matching posts",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PostStats"}}}}}
})json";

constexpr const char* kExportDoc = R"json({
  "parameters": [
    {"$ref": "#/components/parameters/source"}, {"$ref": "#/components/parameters/language"},
    {"$ref": "#/components/parameters/sentiment"}, {"$ref": "#/components/parameters/product"},
    {"$ref": "#/components/parameters/country"}, {"$ref": "#/components/parameters/complaint"},
    {"$ref": "#/components/parameters/answered"},
    {"$ref": "#/components/parameters/false_positive"},
    {"$ref": "#/components/parameters/since"}, {"$ref": "#/components/parameters/until"},
    {"$ref": "#/components/parameters/q"}, {"$ref": "#/components/parameters/sort"}
  ],
  "responses": {"200": {"description": "Every matching post as RFC 4180 CSV, streamed (chunked)",
    "content": {"text/csv": {"schema": {"type": "string"}}}}}
})json";

}  // namespace

Status RegisterPostRoutes(Router& router, ApiContext& ctx) {
  Store& store = ctx.store;
  const Clock& clock = ctx.clock;

  CT_RETURN_IF_ERROR(router.Add({"GET", "/posts", Access::kRead,
                                 "List posts (filters, full text, keyset pagination)", kListDoc,
                                 [&store](const HttpRequest& req, const RequestContext&) {
                                   auto request = ParsePostListQuery(req.query);
                                   if (!request.ok()) return ErrorResponse(request.status());
                                   auto page = store.ListPosts(*request);
                                   if (!page.ok()) return ErrorResponse(page.status());
                                   return JsonResponse(RenderPostPage(*page));
                                 }}));

  CT_RETURN_IF_ERROR(router.Add({"GET", "/posts/stats", Access::kRead,
                                 "Aggregates: totals, timeline and breakdowns", kStatsDoc,
                                 [&store](const HttpRequest& req, const RequestContext&) {
                                   auto query = ParsePostStatsQuery(req.query);
                                   if (!query.ok()) return ErrorResponse(query.status());
                                   auto stats = store.Stats(query->filter, query->bucket);
                                   if (!stats.ok()) return ErrorResponse(stats.status());
                                   return JsonResponse(RenderPostStats(*stats, query->bucket));
                                 }}));

  CT_RETURN_IF_ERROR(router.Add(
      {"GET", "/posts/export.csv", Access::kRead, "Every matching post as CSV (streamed)",
       kExportDoc, [&store](const HttpRequest& req, const RequestContext&) {
         auto query = ParsePostExportQuery(req.query);
         if (!query.ok()) return ErrorResponse(query.status());
         PostPageRequest page_request;
         page_request.filter = std::move(query->filter);
         page_request.sort = query->sort;
         page_request.limit = kMaxPageSize;
         auto state = std::make_shared<CsvExport>(CsvExport{store, std::move(page_request)});
         HttpResponse res;
         res.headers.Set("Content-Type", "text/csv; charset=utf-8");
         res.headers.Set("Content-Disposition", "attachment; filename=\"posts.csv\"");
         res.producer = [state](std::string& chunk) { return state->Next(chunk); };
         return res;
       }}));

  CT_RETURN_IF_ERROR(router.Add({"GET", "/posts/{id}", Access::kRead, "One post", kGetDoc,
                                 [&store](const HttpRequest& req, const RequestContext&) {
                                   auto id = PostId(req);
                                   if (!id.ok()) return ErrorResponse(id.status());
                                   auto post = store.GetPost(*id);
                                   if (!post.ok()) return ErrorResponse(post.status());
                                   return JsonResponse(RenderPost(*post));
                                 }}));

  CT_RETURN_IF_ERROR(router.Add(
      {"PATCH", "/posts/{id}", Access::kOperator, "Triage: mark answered / false positive",
       kPatchDoc, [&store, &clock](const HttpRequest& req, const RequestContext& rc) {
         auto id = PostId(req);
         if (!id.ok()) return ErrorResponse(id.status());
         auto patch = ParseTriagePatch(req);
         if (!patch.ok()) return ErrorResponse(patch.status());
         patch->actor = rc.token ? rc.token->name : "";
         patch->now = clock.NowSeconds();
         auto post = store.UpdateTriage(*id, *patch);
         if (!post.ok()) return ErrorResponse(post.status());
         return JsonResponse(RenderPost(*post));
       }}));
  return Status::Ok();
}

}  // namespace ct
