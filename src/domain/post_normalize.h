// Normalisation behind deduplication: the same post reached through two URLs, or re-posted with
// different spacing or case, is recognised as one.
#pragma once

#include <string>
#include <string_view>

namespace ct {

struct Post;

// Lower-cases scheme and host, drops the default port, the fragment, tracking parameters
// (utm_*, fbclid, gclid, ref, ref_src) and a trailing slash on the path; keeps the other query
// parameters in their order. Returns the input trimmed when it is not an http(s) URL.
std::string NormalizeUrl(std::string_view url);

// Lower case (ASCII and Latin-1/Latin Extended-A letters in UTF-8), whitespace collapsed,
// punctuation dropped: the text whose hash identifies "the same content".
std::string NormalizeContent(std::string_view text);

// Hex SHA-256 of NormalizeContent(title + "\n" + content).
std::string ContentHash(std::string_view title, std::string_view content);

// Applies NormalizeUrl and fills content_hash when empty. Idempotent.
void NormalizePost(Post& post);

}  // namespace ct
