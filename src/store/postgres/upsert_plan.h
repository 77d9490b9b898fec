// UpsertPlan: decides, without I/O, what an upsert batch does to the stored posts.
//
// Posts are taken in batch order, as if upserted one at a time: a post is known when a row
// (stored, or inserted/updated earlier in the same batch) has the same (source, external_id),
// else the same non-empty normalised URL, else the same (source, content_hash); among several
// rows with the same URL or hash the lowest id wins (rows new in the batch come after stored
// ones). A known post replaces the row's collected and analysed fields (never id, source,
// external_id, created_at nor triage fields); it counts as `unchanged` when that changes
// nothing. This lets the PostgreSQL store do one lookup query and two bulk writes per batch
// with exactly the counts of a row-by-row upsert.
//
// Not synchronised; a plain function of its inputs.
#pragma once

#include <span>
#include <vector>

#include "domain/post.h"
#include "domain/post_query.h"

namespace ct::pg {

struct UpsertPlan {
  std::vector<Post> inserts;  // in batch order; id unset
  std::vector<Post> updates;  // final state of changed stored rows (id set)
  UpsertSummary summary;
};

// `batch` must be normalised (NormalizePost). `candidates` are stored rows that may match:
// at least every row sharing a (source, external_id), URL or (source, content_hash) with a post
// of the batch.
UpsertPlan PlanUpsert(std::span<const Post> batch, std::span<const Post> candidates);

// Copies the fields a re-collected post replaces from `from` into `into`.
void ApplyCollectedFields(const Post& from, Post& into);
// Whether `a` and `b` agree on every field a re-collected post replaces.
bool SameCollectedFields(const Post& a, const Post& b);

}  // namespace ct::pg
