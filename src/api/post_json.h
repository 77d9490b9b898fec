// JSON rendering of posts, pages and aggregates: the bulk of the API's hot path, hence
// JsonWriter rather than a DOM. The post form is the one domain/post_json.h defines (what
// `complaints import` reads; a test checks both agree); this one is ~3x faster (run-based
// escaping, no snprintf) and writes numbers in shortest round-trip form. Timestamps ISO 8601
// UTC; evidence/metadata embedded as the JSON objects the store holds (the store refuses
// non-objects; empty renders as {}); absent rating / answered_at are null. Pure functions.
#pragma once

#include <string>

#include "api/json_writer.h"
#include "domain/post.h"
#include "domain/post_query.h"

namespace ct {

void WritePostJson(JsonWriter& w, const Post& post);
std::string RenderPost(const Post& post);
// {"items":[...],"next_cursor":"..."|null}
std::string RenderPostPage(const PostPage& page);
std::string RenderPostStats(const PostStats& stats, StatsBucket bucket);

}  // namespace ct
