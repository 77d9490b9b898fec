#include "api/post_csv.h"

#include <charconv>

#include "core/time_format.h"

namespace ct {

namespace {

std::string Number(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

void AppendCsvField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void AppendPostCsvHeader(std::string& out) {
  out.append(
      "id,source,external_id,url,title,content,author,created_at,collected_at,language,"
      "sentiment_score,sentiment_label,is_complaint,complaint_score,product,country,"
      "relevance_score,rating,likes,score,comments,answered,answered_at,answered_by,"
      "answered_method,false_positive\r\n");
}

void AppendPostCsvRow(std::string& out, const Post& p) {
  auto field = [&](std::string_view v) {
    AppendCsvField(out, v);
    out.push_back(',');
  };
  auto boolean = [](bool b) { return b ? "true" : "false"; };
  field(std::to_string(p.id));
  field(p.source);
  field(p.external_id);
  field(p.url);
  field(p.title);
  field(p.content);
  field(p.author);
  field(FormatIso8601(p.created_at));
  field(FormatIso8601(p.collected_at));
  field(p.language);
  field(Number(p.sentiment_score));
  field(p.sentiment_label);
  field(boolean(p.is_complaint));
  field(Number(p.complaint_score));
  field(p.product);
  field(p.country);
  field(Number(p.relevance_score));
  field(p.rating ? Number(*p.rating) : "");
  field(std::to_string(p.engagement.likes));
  field(std::to_string(p.engagement.score));
  field(std::to_string(p.engagement.comments));
  field(boolean(p.answered));
  field(p.answered_at ? FormatIso8601(*p.answered_at) : "");
  field(p.answered_by);
  field(p.answered_method);
  AppendCsvField(out, boolean(p.false_positive));
  out.append("\r\n");
}

}  // namespace ct
