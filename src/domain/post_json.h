// The JSON form of a Post, the one renderer of it: `complaints import` reads it (JSON lines),
// `scrape`/`parse` and the benchmark generator write it, the API renders its pages with it.
// Field names are Post's; timestamps are ISO 8601 UTC strings (integers of Unix seconds are
// also accepted on input); evidence and metadata are JSON objects (embedded as stored; empty
// renders as {}); engagement is {"likes","score","comments"}; rating and answered_at are a
// value or null; numbers in shortest round-trip form (they parse back to the same double).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "domain/post.h"

namespace ct {

// Parses one JSON object. Strict: unknown fields, wrong types, a missing source, external_id
// or created_at are errors naming the field. `id` and `content_hash` are ignored on input
// (assigned by the store).
Result<Post> ParsePostJson(std::string_view json);

class JsonWriter;

// Renders every field, as GET /posts/{id} returns it: as the next value of `w`, or appended to
// `out`. This is the API's hot path (a page renders 50 of them), hence no DOM.
void WritePostJson(JsonWriter& w, const Post& post);
void AppendPostJson(const Post& post, std::string& out);

}  // namespace ct
