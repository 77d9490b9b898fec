// libxml2 RAII and XPath helpers for the feed/page adapters (internal to sources/; .cc only).
#pragma once

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ct::xml_support {

struct DocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct XPathContextDeleter {
  void operator()(xmlXPathContext* c) const { xmlXPathFreeContext(c); }
};
struct XPathObjectDeleter {
  void operator()(xmlXPathObject* o) const { xmlXPathFreeObject(o); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;
using XPathContextPtr = std::unique_ptr<xmlXPathContext, XPathContextDeleter>;
using XPathObjectPtr = std::unique_ptr<xmlXPathObject, XPathObjectDeleter>;

// Strict XML (no network, no entities expansion from outside); nullptr when malformed.
DocPtr ParseXml(std::string_view body);
// Forgiving HTML; nullptr only when nothing could be parsed.
DocPtr ParseHtml(std::string_view body);

// Nodes matching `xpath` from `node` (the document root when null). Empty on a bad expression,
// with *bad_expression set when given.
std::vector<xmlNode*> Select(xmlDoc* doc, xmlNode* node, const std::string& xpath,
                             bool* bad_expression = nullptr);
// The string value of `xpath` evaluated from `node` (text of the first match, or a string()
// result).
std::string SelectString(xmlDoc* doc, xmlNode* node, const std::string& xpath);

// Text content of a node ("" for null).
std::string Text(const xmlNode* node);
// An attribute value ("" when absent).
std::string Attr(const xmlNode* node, const char* name);
// The local name ("item", "entry").
std::string_view Name(const xmlNode* node);
// First child element with local name `name` (any namespace), or null.
xmlNode* Child(const xmlNode* node, std::string_view name);
// Child elements with local name `name`.
std::vector<xmlNode*> Children(const xmlNode* node, std::string_view name);

}  // namespace ct::xml_support
