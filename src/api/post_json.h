// JSON rendering of pages of posts and their aggregates (the bulk of the API's hot path). One
// post is rendered by domain/post_json.h (the same form `complaints import` reads); this adds
// the page and stats envelopes with JsonWriter. Pure functions.
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
