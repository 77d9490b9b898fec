// HTML (a fragment or a page) reduced to readable plain text, with libxml2's HTML parser:
// entities decoded (&amp; &eacute; &#39;), scripts/styles dropped, block elements and <br>
// as line breaks, runs of spaces collapsed, trimmed. Never fails: broken markup is recovered.
// Thread-safe (libxml2 is initialised once).
#pragma once

#include <string>
#include <string_view>

namespace ct {

std::string HtmlToText(std::string_view html);

// Collapses whitespace runs to one space (newlines kept as single newlines) and trims.
std::string CollapseWhitespace(std::string_view text);

}  // namespace ct
