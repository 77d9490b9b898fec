#include "api/post_json.h"

#include "core/time_format.h"

namespace ct {

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

void WriteCounts(JsonWriter& w, const std::vector<CountByKey>& counts) {
  w.BeginArray();
  for (const auto& c : counts) {
    w.BeginObject().Key("key").String(c.key).Key("count").Int(c.count).EndObject();
  }
  w.EndArray();
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

std::string RenderPost(const Post& post) {
  std::string out;
  out.reserve(1024 + post.content.size());
  JsonWriter w(out);
  WritePostJson(w, post);
  return out;
}

std::string RenderPostPage(const PostPage& page) {
  std::string out;
  std::size_t estimate = 64;
  for (const auto& p : page.items) estimate += 700 + p.content.size() + p.title.size();
  out.reserve(estimate);
  JsonWriter w(out);
  w.BeginObject().Key("items").BeginArray();
  for (const auto& p : page.items) WritePostJson(w, p);
  w.EndArray().Key("next_cursor");
  if (page.next) {
    w.String(EncodeCursor(*page.next));
  } else {
    w.Null();
  }
  w.EndObject();
  return out;
}

std::string RenderPostStats(const PostStats& s, StatsBucket bucket) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("total").Int(s.total);
  w.Key("complaints").Int(s.complaints);
  w.Key("negative").Int(s.negative);
  w.Key("answered").Int(s.answered);
  w.Key("unanswered_complaints").Int(s.unanswered_complaints);
  w.Key("bucket").String(StatsBucketName(bucket));
  w.Key("timeline").BeginArray();
  for (const auto& t : s.timeline) {
    w.BeginObject();
    w.Key("period").String(t.period);
    w.Key("total").Int(t.total);
    w.Key("positive").Int(t.positive);
    w.Key("neutral").Int(t.neutral);
    w.Key("negative").Int(t.negative);
    w.Key("complaints").Int(t.complaints);
    w.EndObject();
  }
  w.EndArray();
  w.Key("by_source");
  WriteCounts(w, s.by_source);
  w.Key("by_sentiment");
  WriteCounts(w, s.by_sentiment);
  w.Key("by_product");
  WriteCounts(w, s.by_product);
  w.Key("by_language");
  WriteCounts(w, s.by_language);
  w.Key("by_country");
  WriteCounts(w, s.by_country);
  w.EndObject();
  return out;
}

}  // namespace ct
