#include "store/postgres/pg_post_filter.h"

#include <vector>

namespace ct::pg {
namespace {

class Conditions {
 public:
  void Add(std::string condition) { parts_.push_back(std::move(condition)); }
  std::string Sql(const char* first = " WHERE ") const {
    std::string out;
    for (size_t i = 0; i < parts_.size(); ++i) {
      out += i == 0 ? first : " AND ";
      out += parts_[i];
    }
    return out;
  }

 private:
  std::vector<std::string> parts_;
};

void AddIn(Conditions& c, PgParams& params, const char* column,
           const std::vector<std::string>& values) {
  if (values.empty()) return;
  params.AddTextArray(values);
  c.Add(std::string(column) + " = ANY($" + std::to_string(params.size()) + "::text[])");
}

const char* BoolSql(bool v) { return v ? "true" : "false"; }

// The conditions on columns that `posts` and `post_rollup` share.
void AddDimensions(Conditions& c, PgParams& params, const PostFilter& f) {
  AddIn(c, params, "source", f.sources);
  AddIn(c, params, "language", f.languages);
  AddIn(c, params, "sentiment_label", f.sentiments);
  AddIn(c, params, "product", f.products);
  AddIn(c, params, "country", f.countries);
  if (f.complaint) c.Add(std::string("is_complaint = ") + BoolSql(*f.complaint));
  if (f.answered) c.Add(std::string("answered = ") + BoolSql(*f.answered));
  if (f.false_positive) c.Add(std::string("false_positive = ") + BoolSql(*f.false_positive));
}

}  // namespace

std::string PostWhere(const PostFilter& f, PgParams& params) {
  Conditions c;
  AddDimensions(c, params, f);
  if (f.since) c.Add("created_at >= " + params.Placeholder(static_cast<std::int64_t>(*f.since)));
  if (f.until) c.Add("created_at < " + params.Placeholder(static_cast<std::int64_t>(*f.until)));
  if (!f.q.empty()) {
    // ct_search_query (migrations/0004) ANDs the words as literal lexemes, so operators and
    // quotes in q are never syntax; without any word it is NULL and matches nothing. It is
    // immutable: folded to a constant at planning, so the planner sees the actual words.
    c.Add("search @@ ct_search_query(" + params.Placeholder(f.q) + "::text)");
  }
  return c.Sql();
}

std::string DimensionConditions(const PostFilter& f, PgParams& params) {
  Conditions c;
  AddDimensions(c, params, f);
  return c.Sql("");
}

}  // namespace ct::pg
