#include "sources/adapter_support.h"

#include <libxml/uri.h>

#include <cctype>
#include <memory>

#include "core/time_format.h"
#include "fetch/http_date.h"
#include "sources/json_support.h"
#include "sources/source_adapter.h"

namespace ct {

Status Drift(const ParseContext& context, std::string_view what) {
  const std::string name = context.spec ? context.spec->name : "?";
  const std::string kind = context.spec ? context.spec->kind : "?";
  return Status::DataLoss("parse drift in " + name + " (" + kind + "): " + std::string(what) +
                          (context.request.url.empty() ? "" : " [" + context.request.url + "]"));
}

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string BaseUrl(const SourceSpec& spec, std::string_view fallback) {
  std::string b = spec.base_url.empty() ? std::string(fallback) : spec.base_url;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b;
}

std::string FillQuery(std::string_view url_template, std::string_view query) {
  std::string out(url_template);
  const std::string encoded = UrlEncode(query);
  for (auto pos = out.find("{query}"); pos != std::string::npos; pos = out.find("{query}", pos)) {
    out.replace(pos, 7, encoded);
    pos += encoded.size();
  }
  return out;
}

std::string ResolveUrl(std::string_view base, std::string_view href) {
  const std::string h(href), b(base);
  std::unique_ptr<xmlChar, decltype(xmlFree)> built(
      xmlBuildURI(reinterpret_cast<const xmlChar*>(h.c_str()),
                  reinterpret_cast<const xmlChar*>(b.c_str())),
      xmlFree);
  return built ? reinterpret_cast<const char*>(built.get()) : h;
}

std::optional<std::string> NextLink(const HttpHeaders& headers) {
  for (const auto& [name, value] : headers) {
    if (name != "link") continue;
    // <https://...>; rel="next", <https://...>; rel="prev"
    std::size_t pos = 0;
    while ((pos = value.find('<', pos)) != std::string::npos) {
      const auto end = value.find('>', pos);
      if (end == std::string::npos) break;
      const auto next_entry = value.find('<', end);
      const std::string params = value.substr(end, next_entry == std::string::npos
                                                       ? std::string::npos
                                                       : next_entry - end);
      if (params.find("rel=\"next\"") != std::string::npos ||
          params.find("rel=next") != std::string::npos)
        return value.substr(pos + 1, end - pos - 1);
      pos = end;
    }
  }
  return std::nullopt;
}

Result<UnixSeconds> ParseAnyDate(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.front())) && text.size() >= 10 &&
      text[4] == '-')
    return ParseIso8601(text);
  return ParseHttpDate(text);
}

HttpRequest Get(std::string url, std::string accept) {
  HttpRequest r;
  r.url = std::move(url);
  r.headers.emplace_back("Accept", std::move(accept));
  return r;
}

Post NewPost(const ParseContext& context, std::string external_id) {
  Post p;
  p.source = context.spec ? context.spec->name : "";
  p.external_id = std::move(external_id);
  p.collected_at = context.collected_at;
  return p;
}

namespace json_support {

Result<json> ParseBody(const ParseContext& context, std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Drift(context, "body is not valid JSON");
  return j;
}

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  if (it->is_number()) return it->dump();
  if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
  return "";
}

std::int64_t Int(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  return it->is_number_float() ? static_cast<std::int64_t>(it->get<double>()) : it->get<std::int64_t>();
}

bool Bool(const json& j, const char* key) {
  if (!j.is_object()) return false;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

std::optional<double> Num(const json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    try {
      return std::stod(it->get<std::string>());
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

Result<const json*> RequiredArray(const ParseContext& context, const json& j, const char* key,
                                  std::string_view where) {
  if (!j.is_object()) return Drift(context, std::string(where) + " is not an object");
  auto it = j.find(key);
  if (it == j.end() || !it->is_array())
    return Drift(context, "missing array '" + std::string(where) + "." + key + "'");
  return &*it;
}

Status Require(const ParseContext& context, const json& j, const char* key, std::string_view where) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null())
    return Drift(context, "missing field '" + std::string(where) + "." + key + "'");
  return Status::Ok();
}

}  // namespace json_support
}  // namespace ct
