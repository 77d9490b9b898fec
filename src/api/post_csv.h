// CSV rendering of posts for GET /posts/export.csv (RFC 4180: CRLF line ends, fields holding a
// comma, quote, CR or LF are quoted with quotes doubled). Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "domain/post.h"

namespace ct {

void AppendCsvField(std::string& out, std::string_view field);
void AppendPostCsvHeader(std::string& out);
void AppendPostCsvRow(std::string& out, const Post& post);

}  // namespace ct
