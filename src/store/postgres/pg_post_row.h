// How a Post maps to a row of `posts`: the column list, decoding a result row, and encoding a
// row for COPY (text format). Kept in one place so SELECT, COPY and UPDATE agree.
#pragma once

#include <string>
#include <string_view>

#include "domain/post.h"
#include "store/postgres/pg_connection.h"

namespace ct::pg {

// Every column of a Post, in PostFromRow order, for "SELECT <kPostColumns> FROM posts".
extern const char kPostColumns[];
// Columns written when inserting (everything but id), in AppendInsertRow order.
extern const char kInsertColumns[];
// Columns replaced when a known post is seen again, in AppendUpdateRow order (id first).
extern const char kUpdateColumns[];
// "url = u.url, title = u.title, ..." for UPDATE posts ... FROM <staging> u.
extern const char kUpdateAssignments[];

Post PostFromRow(const PgResult& result, int row);

// One COPY text line (with trailing newline) for kInsertColumns / kUpdateColumns.
void AppendInsertRow(std::string& out, const Post& post);
void AppendUpdateRow(std::string& out, const Post& post);

}  // namespace ct::pg
