// The API's JSON bodies for posts, pages and aggregates: the bulk of the API's hot path, hence
// JsonWriter rather than a DOM. Each post is rendered by domain/post_json.h (WritePostJson),
// the one form of a post that `complaints import` also reads. Pure functions.
#pragma once

#include <string>

#include "core/json_writer.h"
#include "domain/post.h"
#include "domain/post_query.h"

namespace ct {

std::string RenderPost(const Post& post);
// {"items":[...],"next_cursor":"..."|null}
std::string RenderPostPage(const PostPage& page);
std::string RenderPostStats(const PostStats& stats, StatsBucket bucket);

}  // namespace ct
