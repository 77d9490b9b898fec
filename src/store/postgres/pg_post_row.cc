#include "store/postgres/pg_post_row.h"

#include <cstdio>
#include <optional>
#include <type_traits>

namespace ct::pg {

const char kPostColumns[] =
    "id, source, external_id, url, title, content, author, created_at, collected_at, language, "
    "sentiment_score, sentiment_label, is_complaint, complaint_score, product, country, "
    "relevance_score, rating, likes, score, comments, evidence, metadata, answered, answered_at, "
    "answered_by, answered_method, false_positive, content_hash";

const char kInsertColumns[] =
    "source, external_id, url, title, content, author, created_at, collected_at, language, "
    "sentiment_score, sentiment_label, is_complaint, complaint_score, product, country, "
    "relevance_score, rating, likes, score, comments, evidence, metadata, answered, answered_at, "
    "answered_by, answered_method, false_positive, content_hash";

const char kUpdateColumns[] =
    "id, url, title, content, author, collected_at, language, sentiment_score, sentiment_label, "
    "is_complaint, complaint_score, product, country, relevance_score, rating, likes, score, "
    "comments, evidence, metadata, content_hash";

const char kUpdateAssignments[] =
    "url = u.url, title = u.title, content = u.content, author = u.author, "
    "collected_at = u.collected_at, language = u.language, sentiment_score = u.sentiment_score, "
    "sentiment_label = u.sentiment_label, is_complaint = u.is_complaint, "
    "complaint_score = u.complaint_score, product = u.product, country = u.country, "
    "relevance_score = u.relevance_score, rating = u.rating, likes = u.likes, score = u.score, "
    "comments = u.comments, evidence = u.evidence, metadata = u.metadata, "
    "content_hash = u.content_hash";

Post PostFromRow(const PgResult& r, int row) {
  Post p;
  p.id = r.Int(row, 0);
  p.source = r.Text(row, 1);
  p.external_id = r.Text(row, 2);
  p.url = r.Text(row, 3);
  p.title = r.Text(row, 4);
  p.content = r.Text(row, 5);
  p.author = r.Text(row, 6);
  p.created_at = r.Int(row, 7);
  p.collected_at = r.Int(row, 8);
  p.language = r.Text(row, 9);
  p.sentiment_score = r.Double(row, 10);
  p.sentiment_label = r.Text(row, 11);
  p.is_complaint = r.Bool(row, 12);
  p.complaint_score = r.Double(row, 13);
  p.product = r.Text(row, 14);
  p.country = r.Text(row, 15);
  p.relevance_score = r.Double(row, 16);
  p.rating = r.OptDouble(row, 17);
  p.engagement.likes = r.Int(row, 18);
  p.engagement.score = r.Int(row, 19);
  p.engagement.comments = r.Int(row, 20);
  p.evidence_json = r.Text(row, 21);
  p.metadata_json = r.Text(row, 22);
  p.answered = r.Bool(row, 23);
  p.answered_at = r.OptInt(row, 24);
  p.answered_by = r.Text(row, 25);
  p.answered_method = r.Text(row, 26);
  p.false_positive = r.Bool(row, 27);
  p.content_hash = r.Text(row, 28);
  return p;
}

namespace {

// Builds one COPY text line: fields separated by tabs, NULL as \N.
class CopyLine {
 public:
  explicit CopyLine(std::string& out) : out_(out) {}
  ~CopyLine() { out_ += '\n'; }
  CopyLine& Text(std::string_view s) {
    Sep();
    AppendCopyText(out_, s);
    return *this;
  }
  CopyLine& Int(std::int64_t v) {
    Sep();
    out_ += std::to_string(v);
    return *this;
  }
  CopyLine& Double(double v) {
    Sep();
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    out_ += buf;
    return *this;
  }
  CopyLine& Bool(bool v) {
    Sep();
    out_ += v ? 't' : 'f';
    return *this;
  }
  template <typename T>
  CopyLine& Opt(const std::optional<T>& v) {
    if (!v) {
      Sep();
      out_ += "\\N";
      return *this;
    }
    if constexpr (std::is_floating_point_v<T>) {
      return Double(*v);
    } else {
      return Int(*v);
    }
  }

 private:
  void Sep() {
    if (!first_) out_ += '\t';
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

// The analysed columns, in the same order in the insert and the update COPY rows.
CopyLine& AppendAnalysis(CopyLine& line, const Post& p) {
  return line.Text(p.language)
      .Double(p.sentiment_score)
      .Text(p.sentiment_label)
      .Bool(p.is_complaint)
      .Double(p.complaint_score)
      .Text(p.product)
      .Text(p.country)
      .Double(p.relevance_score)
      .Opt(p.rating)
      .Int(p.engagement.likes)
      .Int(p.engagement.score)
      .Int(p.engagement.comments)
      .Text(p.evidence_json)
      .Text(p.metadata_json);
}

}  // namespace

void AppendInsertRow(std::string& out, const Post& p) {
  CopyLine line(out);
  line
      .Text(p.source)
      .Text(p.external_id)
      .Text(p.url)
      .Text(p.title)
      .Text(p.content)
      .Text(p.author)
      .Int(p.created_at)
      .Int(p.collected_at);
  AppendAnalysis(line, p)
      .Bool(p.answered)
      .Opt(p.answered_at)
      .Text(p.answered_by)
      .Text(p.answered_method)
      .Bool(p.false_positive)
      .Text(p.content_hash);
}

void AppendUpdateRow(std::string& out, const Post& p) {
  CopyLine line(out);
  line
      .Int(p.id)
      .Text(p.url)
      .Text(p.title)
      .Text(p.content)
      .Text(p.author)
      .Int(p.collected_at);
  AppendAnalysis(line, p).Text(p.content_hash);
}

}  // namespace ct::pg
