#include "api/post_json.h"

#include "domain/post_json.h"

namespace ct {

namespace {

void WriteCounts(JsonWriter& w, const std::vector<CountByKey>& counts) {
  w.BeginArray();
  for (const auto& c : counts) {
    w.BeginObject().Key("key").String(c.key).Key("count").Int(c.count).EndObject();
  }
  w.EndArray();
}

}  // namespace

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
