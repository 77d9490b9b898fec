#include "store/postgres/upsert_plan.h"

#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>

namespace ct::pg {

void ApplyCollectedFields(const Post& from, Post& into) {
  into.url = from.url;
  into.title = from.title;
  into.content = from.content;
  into.author = from.author;
  into.collected_at = from.collected_at;
  into.language = from.language;
  into.sentiment_score = from.sentiment_score;
  into.sentiment_label = from.sentiment_label;
  into.is_complaint = from.is_complaint;
  into.complaint_score = from.complaint_score;
  into.product = from.product;
  into.country = from.country;
  into.relevance_score = from.relevance_score;
  into.rating = from.rating;
  into.engagement = from.engagement;
  into.evidence_json = from.evidence_json;
  into.metadata_json = from.metadata_json;
  into.content_hash = from.content_hash;
}

bool SameCollectedFields(const Post& a, const Post& b) {
  Post x = b;
  ApplyCollectedFields(a, x);
  return x == b;
}

namespace {

using Key = std::pair<std::string, std::string>;

struct Row {
  Post post;
  bool stored = false;   // exists in the database (else new in this batch)
  bool changed = false;  // stored and modified by the batch
};

class Planner {
 public:
  explicit Planner(std::span<const Post> candidates) {
    for (const Post& p : candidates) {
      if (rows_.count(p.id)) continue;
      Add(p.id, Row{p, true, false});
    }
  }

  void Upsert(const Post& incoming, UpsertPlan& plan) {
    std::int64_t id = Find(incoming);
    if (id == 0) {
      const std::int64_t virtual_id = kFirstNewId + next_new_++;
      Row row{incoming, false, false};
      row.post.id = virtual_id;
      Add(virtual_id, std::move(row));
      new_order_.push_back(virtual_id);
      ++plan.summary.inserted;
      return;
    }
    Row& row = rows_.at(id);
    if (SameCollectedFields(incoming, row.post)) {
      ++plan.summary.unchanged;
      return;
    }
    Unindex(row.post);
    ApplyCollectedFields(incoming, row.post);
    Index(row.post);
    if (row.stored) row.changed = true;
    ++plan.summary.updated;
  }

  void Finish(UpsertPlan& plan) {
    for (std::int64_t id : new_order_) {
      Post p = rows_.at(id).post;
      p.id = 0;
      plan.inserts.push_back(std::move(p));
    }
    for (auto& [id, row] : rows_) {
      if (row.stored && row.changed) plan.updates.push_back(row.post);
    }
  }

 private:
  // Rows new in the batch sort after every stored id, in batch order.
  static constexpr std::int64_t kFirstNewId = std::numeric_limits<std::int64_t>::max() / 2;

  std::int64_t Find(const Post& p) const {
    if (auto it = by_ext_.find({p.source, p.external_id}); it != by_ext_.end()) return it->second;
    if (!p.url.empty()) {
      if (auto it = by_url_.find(p.url); it != by_url_.end() && !it->second.empty()) {
        return *it->second.begin();
      }
    }
    if (auto it = by_hash_.find({p.source, p.content_hash});
        it != by_hash_.end() && !it->second.empty()) {
      return *it->second.begin();
    }
    return 0;
  }

  void Add(std::int64_t id, Row row) {
    by_ext_[{row.post.source, row.post.external_id}] = id;
    Index(row.post);
    rows_.emplace(id, std::move(row));
  }
  void Index(const Post& p) {
    if (!p.url.empty()) by_url_[p.url].insert(p.id);
    by_hash_[{p.source, p.content_hash}].insert(p.id);
  }
  void Unindex(const Post& p) {
    if (!p.url.empty()) by_url_[p.url].erase(p.id);
    by_hash_[{p.source, p.content_hash}].erase(p.id);
  }

  std::map<std::int64_t, Row> rows_;
  std::map<Key, std::int64_t> by_ext_;
  std::map<std::string, std::set<std::int64_t>> by_url_;
  std::map<Key, std::set<std::int64_t>> by_hash_;
  std::vector<std::int64_t> new_order_;
  std::int64_t next_new_ = 0;
};

}  // namespace

UpsertPlan PlanUpsert(std::span<const Post> batch, std::span<const Post> candidates) {
  UpsertPlan plan;
  Planner planner(candidates);
  for (const Post& p : batch) planner.Upsert(p, plan);
  planner.Finish(plan);
  return plan;
}

}  // namespace ct::pg
