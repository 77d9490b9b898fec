// The JSON form of a Post: used by `complaints import` (JSON lines), the API and exports.
// Field names are Post's; timestamps are ISO 8601 UTC strings (integers of Unix seconds are
// also accepted on input); evidence and metadata are JSON objects; engagement is
// {"likes","score","comments"}; rating is a number or null.
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

// Renders every field, as GET /posts/{id} returns it. Appends to `out`.
void AppendPostJson(const Post& post, std::string& out);

}  // namespace ct
