#include "sources/xml_support.h"

#include <libxml/xpathInternals.h>

#include <mutex>

namespace ct::xml_support {
namespace {

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

struct XmlCharDeleter {
  void operator()(xmlChar* c) const { xmlFree(c); }
};

}  // namespace

DocPtr ParseXml(std::string_view body) {
  InitOnce();
  return DocPtr(xmlReadMemory(body.data(), static_cast<int>(body.size()), nullptr, nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                  XML_PARSE_NOCDATA));
}

DocPtr ParseHtml(std::string_view body) {
  InitOnce();
  return DocPtr(htmlReadMemory(body.data(), static_cast<int>(body.size()), nullptr, "UTF-8",
                               HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                   HTML_PARSE_NONET));
}

std::vector<xmlNode*> Select(xmlDoc* doc, xmlNode* node, const std::string& xpath,
                             bool* bad_expression) {
  std::vector<xmlNode*> out;
  XPathContextPtr ctx(xmlXPathNewContext(doc));
  if (!ctx) return out;
  ctx->node = node ? node : xmlDocGetRootElement(doc);
  XPathObjectPtr obj(xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), ctx.get()));
  if (!obj) {
    if (bad_expression) *bad_expression = true;
    return out;
  }
  if (obj->type == XPATH_NODESET && obj->nodesetval)
    for (int i = 0; i < obj->nodesetval->nodeNr; ++i) out.push_back(obj->nodesetval->nodeTab[i]);
  return out;
}

std::string SelectString(xmlDoc* doc, xmlNode* node, const std::string& xpath) {
  XPathContextPtr ctx(xmlXPathNewContext(doc));
  if (!ctx) return "";
  ctx->node = node ? node : xmlDocGetRootElement(doc);
  XPathObjectPtr obj(xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), ctx.get()));
  if (!obj) return "";
  if (obj->type == XPATH_NODESET) {
    if (!obj->nodesetval || obj->nodesetval->nodeNr == 0) return "";
    return Text(obj->nodesetval->nodeTab[0]);
  }
  std::unique_ptr<xmlChar, XmlCharDeleter> s(xmlXPathCastToString(obj.get()));
  return s ? reinterpret_cast<const char*>(s.get()) : "";
}

std::string Text(const xmlNode* node) {
  if (!node) return "";
  std::unique_ptr<xmlChar, XmlCharDeleter> s(xmlNodeGetContent(node));
  return s ? reinterpret_cast<const char*>(s.get()) : "";
}

std::string Attr(const xmlNode* node, const char* name) {
  if (!node) return "";
  std::unique_ptr<xmlChar, XmlCharDeleter> s(
      xmlGetProp(node, reinterpret_cast<const xmlChar*>(name)));
  return s ? reinterpret_cast<const char*>(s.get()) : "";
}

std::string_view Name(const xmlNode* node) {
  return node && node->name ? reinterpret_cast<const char*>(node->name) : "";
}

xmlNode* Child(const xmlNode* node, std::string_view name) {
  if (!node) return nullptr;
  for (xmlNode* c = node->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && Name(c) == name) return c;
  return nullptr;
}

std::vector<xmlNode*> Children(const xmlNode* node, std::string_view name) {
  std::vector<xmlNode*> out;
  if (!node) return out;
  for (xmlNode* c = node->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && Name(c) == name) out.push_back(c);
  return out;
}

}  // namespace ct::xml_support
