#include "sources/html_text.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <cstring>
#include <memory>
#include <mutex>

namespace ct {
namespace {

struct DocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

bool IsBlock(const char* name) {
  static const char* kBlocks[] = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4",
                                  "h5", "h6", "blockquote", "pre", "tr", "table", "section",
                                  "article", "header", "footer", "hr"};
  for (const char* b : kBlocks)
    if (std::strcmp(name, b) == 0) return true;
  return false;
}

void Walk(const xmlNode* node, std::string& out) {
  for (const xmlNode* n = node; n; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content) out += reinterpret_cast<const char*>(n->content);
    } else if (n->type == XML_ELEMENT_NODE) {
      const char* name = reinterpret_cast<const char*>(n->name);
      if (std::strcmp(name, "script") == 0 || std::strcmp(name, "style") == 0 ||
          std::strcmp(name, "noscript") == 0 || std::strcmp(name, "template") == 0)
        continue;
      const bool block = IsBlock(name);
      if (block) out += '\n';
      Walk(n->children, out);
      if (block) out += '\n';
    }
  }
}

}  // namespace

std::string CollapseWhitespace(std::string_view text) {
  std::string out;
  bool pending_space = false, pending_newline = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    // U+00A0 (no-break space) counts as a space.
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0) {
      pending_space = true;
      ++i;
      continue;
    }
    if (c == '\n') {
      pending_newline = true;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      pending_space = true;
    } else {
      if (!out.empty()) {
        if (pending_newline) out += '\n';
        else if (pending_space) out += ' ';
      }
      pending_space = pending_newline = false;
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string HtmlToText(std::string_view html) {
  if (html.find_first_of("<&") == std::string_view::npos) return CollapseWhitespace(html);
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
  // Wrapped so a fragment's leading text is not dropped; UTF-8 declared explicitly.
  const std::string doc_text = "<html><body><div>" + std::string(html) + "</div></body></html>";
  std::unique_ptr<xmlDoc, DocDeleter> doc(htmlReadMemory(
      doc_text.data(), static_cast<int>(doc_text.size()), nullptr, "UTF-8",
      HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET));
  if (!doc) return CollapseWhitespace(html);
  std::string out;
  Walk(xmlDocGetRootElement(doc.get()), out);
  return CollapseWhitespace(out);
}

}  // namespace ct
