#include "analysis/taxonomy.h"

#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "analysis/embedded_data.h"

namespace ct {
namespace {

Status CheckKeys(const toml::table& table, const std::set<std::string_view>& allowed,
                 const std::string& where) {
  for (const auto& [key, value] : table) {
    if (!allowed.contains(key.str())) {
      return Status::InvalidArgument(where + ": unknown key '" + std::string(key.str()) + "'");
    }
  }
  return Status::Ok();
}

Status ReadStrings(const toml::table& table, std::string_view key, const std::string& where,
                   std::vector<std::string>* out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Status::Ok();
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    return Status::InvalidArgument(where + "." + std::string(key) + ": expected an array of strings");
  }
  for (const auto& item : *array) {
    const auto s = item.value<std::string>();
    if (!s || s->empty()) {
      return Status::InvalidArgument(where + "." + std::string(key) + ": expected non-empty strings");
    }
    out->push_back(*s);
  }
  return Status::Ok();
}

Status ReadDouble(const toml::table& table, std::string_view key, const std::string& where,
                  double* out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Status::Ok();
  const auto v = node->value<double>();
  if (!v) return Status::InvalidArgument(where + "." + std::string(key) + ": expected a number");
  *out = *v;
  return Status::Ok();
}

Status ReadCategories(const toml::table& root, std::string_view key, bool with_weight,
                      const std::string& origin, std::vector<TaxonomyCategory>* out) {
  const toml::node* node = root.get(key);
  if (node == nullptr) return Status::InvalidArgument(origin + ": missing [[" + std::string(key) + "]]");
  const toml::array* array = node->as_array();
  if (array == nullptr) return Status::InvalidArgument(origin + ": " + std::string(key) + " must be [[tables]]");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::table* t = array->get(i)->as_table();
    const std::string where = origin + ": " + std::string(key) + "[" + std::to_string(i) + "]";
    if (t == nullptr) return Status::InvalidArgument(where + ": expected a table");
    CT_RETURN_IF_ERROR(CheckKeys(*t, {"id", "label", "weight", "negatable", "en", "fr"}, where));
    TaxonomyCategory c;
    c.id = t->get("id") ? t->get("id")->value_or(std::string()) : std::string();
    if (c.id.empty()) return Status::InvalidArgument(where + ": missing id");
    if (!ids.insert(c.id).second) return Status::InvalidArgument(where + ": duplicate id " + c.id);
    c.label = t->get("label") ? t->get("label")->value_or(c.id) : c.id;
    CT_RETURN_IF_ERROR(ReadDouble(*t, "weight", where, &c.weight));
    if (const toml::node* n = t->get("negatable")) {
      const auto b = n->value<bool>();
      if (!b) return Status::InvalidArgument(where + ".negatable: expected true or false");
      c.negatable = *b;
    }
    if (with_weight && (c.weight <= 0 || c.weight > 1)) {
      return Status::InvalidArgument(where + ": weight must be in (0, 1]");
    }
    CT_RETURN_IF_ERROR(ReadStrings(*t, "en", where, &c.en));
    CT_RETURN_IF_ERROR(ReadStrings(*t, "fr", where, &c.fr));
    if (c.en.empty() && c.fr.empty()) return Status::InvalidArgument(where + ": no terms");
    out->push_back(std::move(c));
  }
  return Status::Ok();
}

}  // namespace

Result<Taxonomy> Taxonomy::Parse(std::string_view toml_text, std::string_view origin_view) {
  const std::string origin(origin_view);
  toml::table root;
  try {
    root = toml::parse(toml_text, origin_view);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << origin << ":" << e.source().begin.line << ": " << e.description();
    return Status::InvalidArgument(msg.str());
  }
  CT_RETURN_IF_ERROR(CheckKeys(root, {"version", "scoring", "complaints", "products", "relevance",
                                      "countries"},
                               origin));
  Taxonomy tax;
  tax.version = static_cast<int>(root["version"].value_or(int64_t{1}));
  if (const toml::table* s = root["scoring"].as_table()) {
    const std::string where = origin + ": scoring";
    CT_RETURN_IF_ERROR(CheckKeys(*s,
                                 {"complaint_threshold", "low_rating_max", "low_rating_weight",
                                  "high_rating_min", "high_rating_factor",
                                  "negative_sentiment_weight", "positive_sentiment_factor",
                                  "sentiment_neutral_terms", "disclaimers", "disclaimer_factor"},
                                 where));
    auto& sc = tax.scoring;
    CT_RETURN_IF_ERROR(ReadDouble(*s, "complaint_threshold", where, &sc.complaint_threshold));
    CT_RETURN_IF_ERROR(ReadDouble(*s, "low_rating_max", where, &sc.low_rating_max));
    CT_RETURN_IF_ERROR(ReadDouble(*s, "low_rating_weight", where, &sc.low_rating_weight));
    CT_RETURN_IF_ERROR(ReadDouble(*s, "high_rating_min", where, &sc.high_rating_min));
    CT_RETURN_IF_ERROR(ReadDouble(*s, "high_rating_factor", where, &sc.high_rating_factor));
    CT_RETURN_IF_ERROR(
        ReadDouble(*s, "negative_sentiment_weight", where, &sc.negative_sentiment_weight));
    CT_RETURN_IF_ERROR(
        ReadDouble(*s, "positive_sentiment_factor", where, &sc.positive_sentiment_factor));
    CT_RETURN_IF_ERROR(
        ReadStrings(*s, "sentiment_neutral_terms", where, &sc.sentiment_neutral_terms));
    CT_RETURN_IF_ERROR(ReadStrings(*s, "disclaimers", where, &sc.disclaimers));
    CT_RETURN_IF_ERROR(ReadDouble(*s, "disclaimer_factor", where, &sc.disclaimer_factor));
  }
  CT_RETURN_IF_ERROR(ReadCategories(root, "complaints", true, origin, &tax.complaints));
  CT_RETURN_IF_ERROR(ReadCategories(root, "products", false, origin, &tax.products));
  if (const toml::table* r = root["relevance"].as_table()) {
    const std::string where = origin + ": relevance";
    CT_RETURN_IF_ERROR(CheckKeys(*r,
                                 {"competitors", "brand_false_positive_before",
                                  "brand_false_positive_after", "prospect_before", "brand_weight",
                                  "domain_weight",
                                  "product_weight", "comparison_factor", "metadata_relevance"},
                                 where));
    auto& rr = tax.relevance;
    CT_RETURN_IF_ERROR(ReadStrings(*r, "competitors", where, &rr.competitors));
    CT_RETURN_IF_ERROR(
        ReadStrings(*r, "brand_false_positive_before", where, &rr.brand_false_positive_before));
    CT_RETURN_IF_ERROR(
        ReadStrings(*r, "brand_false_positive_after", where, &rr.brand_false_positive_after));
    CT_RETURN_IF_ERROR(ReadStrings(*r, "prospect_before", where, &rr.prospect_before));
    CT_RETURN_IF_ERROR(ReadDouble(*r, "brand_weight", where, &rr.brand_weight));
    CT_RETURN_IF_ERROR(ReadDouble(*r, "domain_weight", where, &rr.domain_weight));
    CT_RETURN_IF_ERROR(ReadDouble(*r, "product_weight", where, &rr.product_weight));
    CT_RETURN_IF_ERROR(ReadDouble(*r, "comparison_factor", where, &rr.comparison_factor));
    CT_RETURN_IF_ERROR(ReadDouble(*r, "metadata_relevance", where, &rr.metadata_relevance));
  }
  if (const toml::table* c = root["countries"].as_table()) {
    for (const auto& [code, value] : *c) {
      const std::string where = origin + ": countries." + std::string(code.str());
      if (code.str().size() != 2) return Status::InvalidArgument(where + ": expected an ISO 3166-1 alpha-2 code");
      std::vector<std::string> places;
      CT_RETURN_IF_ERROR(ReadStrings(*c, code.str(), where, &places));
      tax.countries.emplace_back(std::string(code.str()), std::move(places));
    }
  }
  return tax;
}

Result<Taxonomy> Taxonomy::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open taxonomy " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  return Parse(buf.str(), path);
}

Result<Taxonomy> Taxonomy::Embedded() {
  return Parse(EmbeddedFile("taxonomy.toml"), "taxonomy.toml (embedded)");
}

}  // namespace ct
