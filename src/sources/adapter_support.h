// Helpers shared by the adapters (internal to sources/; not for other modules).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "domain/post.h"
#include "fetch/http_client.h"

namespace ct {

struct ParseContext;
struct SourceSpec;

// DataLoss "parse drift in <source> (<kind>): <what>".
Status Drift(const ParseContext& context, std::string_view what);

// Percent-encodes a query component (RFC 3986 unreserved characters kept).
std::string UrlEncode(std::string_view s);

// spec.base_url (or `fallback` when empty) without a trailing slash.
std::string BaseUrl(const SourceSpec& spec, std::string_view fallback);

// Replaces "{query}" in `url_template` with the encoded query.
std::string FillQuery(std::string_view url_template, std::string_view query);

// `href` resolved against `base` (absolute, root-relative or relative).
std::string ResolveUrl(std::string_view base, std::string_view href);

// The rel="next" target of an RFC 8288 Link header, if any.
std::optional<std::string> NextLink(const HttpHeaders& headers);

// ISO 8601 or RFC 822/1123 -> Unix seconds.
Result<UnixSeconds> ParseAnyDate(std::string_view text);

// A GET request with the given URL and Accept header.
HttpRequest Get(std::string url, std::string accept = "application/json");

// A post with source, external id and collected_at filled from the context.
Post NewPost(const ParseContext& context, std::string external_id);

}  // namespace ct
