#include "domain/post_json.h"

#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace ct {
namespace {

using nlohmann::json;

Status WrongType(const std::string& field, const char* expected) {
  return Status::InvalidArgument("field '" + field + "' must be " + expected);
}

Status ReadString(const json& v, const std::string& field, std::string& out) {
  if (v.is_null()) return Status::Ok();
  if (!v.is_string()) return WrongType(field, "a string");
  out = v.get<std::string>();
  return Status::Ok();
}

Status ReadTime(const json& v, const std::string& field, UnixSeconds& out) {
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
    return Status::Ok();
  }
  if (!v.is_string()) return WrongType(field, "an ISO 8601 string or Unix seconds");
  auto t = ParseIso8601(v.get<std::string>());
  if (!t.ok()) return t.status().WithContext("field '" + field + "'");
  out = *t;
  return Status::Ok();
}

Status ReadDouble(const json& v, const std::string& field, double& out) {
  if (!v.is_number()) return WrongType(field, "a number");
  out = v.get<double>();
  return Status::Ok();
}

Status ReadBool(const json& v, const std::string& field, bool& out) {
  if (!v.is_boolean()) return WrongType(field, "true or false");
  out = v.get<bool>();
  return Status::Ok();
}

Status ReadObjectText(const json& v, const std::string& field, std::string& out) {
  if (v.is_null()) return Status::Ok();
  if (!v.is_object()) return WrongType(field, "a JSON object");
  out = v.dump();
  return Status::Ok();
}

Status ReadInt(const json& v, const std::string& field, std::int64_t& out) {
  if (!v.is_number_integer()) return WrongType(field, "an integer");
  out = v.get<std::int64_t>();
  return Status::Ok();
}

void AppendEscaped(std::string_view s, std::string& out) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void AppendNumber(double d, std::string& out) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", d);
  out += buf;
}

}  // namespace

Result<Post> ParsePostJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("expected a JSON object");
  Post p;
  bool has_created = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    Status s;
    if (k == "id" || k == "content_hash") continue;
    else if (k == "source") s = ReadString(v, k, p.source);
    else if (k == "external_id") s = ReadString(v, k, p.external_id);
    else if (k == "url") s = ReadString(v, k, p.url);
    else if (k == "title") s = ReadString(v, k, p.title);
    else if (k == "content") s = ReadString(v, k, p.content);
    else if (k == "author") s = ReadString(v, k, p.author);
    else if (k == "created_at") { s = ReadTime(v, k, p.created_at); has_created = true; }
    else if (k == "collected_at") s = v.is_null() ? Status() : ReadTime(v, k, p.collected_at);
    else if (k == "language") s = ReadString(v, k, p.language);
    else if (k == "sentiment_score") s = ReadDouble(v, k, p.sentiment_score);
    else if (k == "sentiment_label") s = ReadString(v, k, p.sentiment_label);
    else if (k == "is_complaint") s = ReadBool(v, k, p.is_complaint);
    else if (k == "complaint_score") s = ReadDouble(v, k, p.complaint_score);
    else if (k == "product") s = ReadString(v, k, p.product);
    else if (k == "country") s = ReadString(v, k, p.country);
    else if (k == "relevance_score") s = ReadDouble(v, k, p.relevance_score);
    else if (k == "rating") {
      if (!v.is_null()) {
        double r = 0;
        s = ReadDouble(v, k, r);
        if (s.ok() && (r < 0 || r > 5)) s = Status::InvalidArgument("field 'rating' must be 0..5");
        p.rating = r;
      }
    } else if (k == "engagement") {
      if (!v.is_object()) { s = WrongType(k, "an object"); }
      else {
        for (auto e = v.begin(); e != v.end() && s.ok(); ++e) {
          if (e.key() == "likes") s = ReadInt(e.value(), "engagement.likes", p.engagement.likes);
          else if (e.key() == "score") s = ReadInt(e.value(), "engagement.score", p.engagement.score);
          else if (e.key() == "comments")
            s = ReadInt(e.value(), "engagement.comments", p.engagement.comments);
          else s = Status::InvalidArgument("unknown field 'engagement." + e.key() + "'");
        }
      }
    } else if (k == "evidence") s = ReadObjectText(v, k, p.evidence_json);
    else if (k == "metadata") s = ReadObjectText(v, k, p.metadata_json);
    else if (k == "answered") s = ReadBool(v, k, p.answered);
    else if (k == "answered_at") {
      if (!v.is_null()) {
        UnixSeconds t = 0;
        s = ReadTime(v, k, t);
        p.answered_at = t;
      }
    } else if (k == "answered_by") s = ReadString(v, k, p.answered_by);
    else if (k == "answered_method") s = ReadString(v, k, p.answered_method);
    else if (k == "false_positive") s = ReadBool(v, k, p.false_positive);
    else s = Status::InvalidArgument("unknown field '" + k + "'");
    CT_RETURN_IF_ERROR(s);
  }
  if (p.source.empty()) return Status::InvalidArgument("field 'source' is required");
  if (p.external_id.empty()) return Status::InvalidArgument("field 'external_id' is required");
  if (!has_created) return Status::InvalidArgument("field 'created_at' is required");
  if (p.sentiment_score < -1 || p.sentiment_score > 1)
    return Status::InvalidArgument("field 'sentiment_score' must be in [-1, 1]");
  return p;
}

void AppendPostJson(const Post& p, std::string& out) {
  out += "{\"id\":";
  out += std::to_string(p.id);
  auto str = [&](const char* name, const std::string& v) {
    out += ",\"";
    out += name;
    out += "\":";
    AppendEscaped(v, out);
  };
  auto num = [&](const char* name, double v) {
    out += ",\"";
    out += name;
    out += "\":";
    AppendNumber(v, out);
  };
  auto boolean = [&](const char* name, bool v) {
    out += ",\"";
    out += name;
    out += v ? "\":true" : "\":false";
  };
  str("source", p.source);
  str("external_id", p.external_id);
  str("url", p.url);
  str("title", p.title);
  str("content", p.content);
  str("author", p.author);
  str("created_at", FormatIso8601(p.created_at));
  str("collected_at", FormatIso8601(p.collected_at));
  str("language", p.language);
  num("sentiment_score", p.sentiment_score);
  str("sentiment_label", p.sentiment_label);
  boolean("is_complaint", p.is_complaint);
  num("complaint_score", p.complaint_score);
  str("product", p.product);
  str("country", p.country);
  num("relevance_score", p.relevance_score);
  out += ",\"rating\":";
  if (p.rating) AppendNumber(*p.rating, out);
  else out += "null";
  out += ",\"engagement\":{\"likes\":" + std::to_string(p.engagement.likes) +
         ",\"score\":" + std::to_string(p.engagement.score) +
         ",\"comments\":" + std::to_string(p.engagement.comments) + "}";
  out += ",\"evidence\":";
  out += p.evidence_json.empty() ? "{}" : p.evidence_json;
  out += ",\"metadata\":";
  out += p.metadata_json.empty() ? "{}" : p.metadata_json;
  boolean("answered", p.answered);
  out += ",\"answered_at\":";
  if (p.answered_at) AppendEscaped(FormatIso8601(*p.answered_at), out);
  else out += "null";
  str("answered_by", p.answered_by);
  str("answered_method", p.answered_method);
  boolean("false_positive", p.false_positive);
  str("content_hash", p.content_hash);
  out += '}';
}

}  // namespace ct
