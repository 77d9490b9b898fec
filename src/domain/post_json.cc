#include "domain/post_json.h"

#include <nlohmann/json.hpp>

#include "core/json_writer.h"
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

namespace {

// "2023-11-14T22:13:20Z" without snprintf: this runs twice per post on the hot path.
void WriteTime(JsonWriter& w, UnixSeconds t) {
  std::int64_t days = t / 86400;
  std::int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  int y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, y, m, d);
  if (y < 0 || y > 9999) {
    w.String(FormatIso8601(t));
    return;
  }
  char buf[22] = "\"0000-00-00T00:00:00Z";
  auto two = [&](int pos, unsigned v) {
    buf[pos] = static_cast<char>('0' + v / 10);
    buf[pos + 1] = static_cast<char>('0' + v % 10);
  };
  two(1, static_cast<unsigned>(y / 100));
  two(3, static_cast<unsigned>(y % 100));
  two(6, m);
  two(9, d);
  two(12, static_cast<unsigned>(secs / 3600));
  two(15, static_cast<unsigned>(secs / 60 % 60));
  two(18, static_cast<unsigned>(secs % 60));
  buf[21] = '"';
  w.Raw(std::string_view(buf, 22));
}

}  // namespace

void WritePostJson(JsonWriter& w, const Post& p) {
  w.BeginObject();
  w.Key("id").Int(p.id);
  w.Key("source").String(p.source);
  w.Key("external_id").String(p.external_id);
  w.Key("url").String(p.url);
  w.Key("title").String(p.title);
  w.Key("content").String(p.content);
  w.Key("author").String(p.author);
  w.Key("created_at");
  WriteTime(w, p.created_at);
  w.Key("collected_at");
  WriteTime(w, p.collected_at);
  w.Key("language").String(p.language);
  w.Key("sentiment_score").Double(p.sentiment_score);
  w.Key("sentiment_label").String(p.sentiment_label);
  w.Key("is_complaint").Bool(p.is_complaint);
  w.Key("complaint_score").Double(p.complaint_score);
  w.Key("product").String(p.product);
  w.Key("country").String(p.country);
  w.Key("relevance_score").Double(p.relevance_score);
  w.Key("rating");
  if (p.rating) {
    w.Double(*p.rating);
  } else {
    w.Null();
  }
  w.Key("engagement").BeginObject();
  w.Key("likes").Int(p.engagement.likes);
  w.Key("score").Int(p.engagement.score);
  w.Key("comments").Int(p.engagement.comments);
  w.EndObject();
  w.Key("evidence").Raw(p.evidence_json.empty() ? std::string_view("{}") : p.evidence_json);
  w.Key("metadata").Raw(p.metadata_json.empty() ? std::string_view("{}") : p.metadata_json);
  w.Key("answered").Bool(p.answered);
  w.Key("answered_at");
  if (p.answered_at) {
    WriteTime(w, *p.answered_at);
  } else {
    w.Null();
  }
  w.Key("answered_by").String(p.answered_by);
  w.Key("answered_method").String(p.answered_method);
  w.Key("false_positive").Bool(p.false_positive);
  w.Key("content_hash").String(p.content_hash);
  w.EndObject();
}

void AppendPostJson(const Post& post, std::string& out) {
  JsonWriter w(out);
  WritePostJson(w, post);
}

}  // namespace ct
