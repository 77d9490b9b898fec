#include "store/store_conformance.h"

#include <gmock/gmock.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "core/time_format.h"
#include "domain/post_normalize.h"

namespace ct {

std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

void StoreConformanceTest::SetUp() {
  auto opened = GetParam().open(clock_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  store_ = std::move(opened).value();
}

void StoreConformanceTest::TearDown() { store_.reset(); }

namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAreArray;

constexpr UnixSeconds kT0 = 1'700'000'000;  // 2023-11-14T22:13:20Z, a Tuesday

UnixSeconds Day(int y, unsigned m, unsigned d, int hour = 12) {
  return DaysFromCivil(y, m, d) * 86400 + hour * 3600;
}

Post MakePost(std::string source, std::string external_id, UnixSeconds created_at = kT0) {
  Post p;
  p.source = std::move(source);
  p.external_id = std::move(external_id);
  p.url = "https://example.com/" + p.source + "/" + p.external_id;
  p.title = "Title " + p.external_id;
  p.content = "Content of " + p.source + " post " + p.external_id;
  p.author = "author";
  p.created_at = created_at;
  p.collected_at = created_at + 60;
  p.language = "en";
  p.sentiment_label = "neutral";
  return p;
}

Result<UpsertSummary> Upsert(Store& store, const std::vector<Post>& posts) {
  return store.UpsertPosts(std::span<const Post>(posts.data(), posts.size()));
}

// Every post matching `filter`, in `sort` order, walking all pages of `limit`. Checks the page
// contract on the way: no page exceeds the limit, only the last page lacks `next`, and `next`
// is the cursor after the page's last item.
std::vector<Post> AllPages(Store& store, const PostFilter& filter, PostSort sort, int limit,
                           int* pages = nullptr) {
  std::vector<Post> all;
  PostPageRequest req;
  req.filter = filter;
  req.sort = sort;
  req.limit = limit;
  int n = 0;
  for (;;) {
    auto page = store.ListPosts(req);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) break;
    ++n;
    EXPECT_LE(page->items.size(), static_cast<std::size_t>(limit));
    all.insert(all.end(), page->items.begin(), page->items.end());
    if (!page->next) break;
    EXPECT_EQ(page->items.size(), static_cast<std::size_t>(limit)) << "short page with next";
    if (page->items.empty()) break;
    EXPECT_EQ(*page->next, CursorAfter(page->items.back(), sort));
    req.after = page->next;
    if (n > 10'000) {
      ADD_FAILURE() << "pagination does not end";
      break;
    }
  }
  if (pages) *pages = n;
  return all;
}

std::vector<std::string> ExternalIds(const std::vector<Post>& posts) {
  std::vector<std::string> ids;
  for (const Post& p : posts) ids.push_back(p.external_id);
  return ids;
}

std::vector<Post> All(Store& store, PostFilter filter = {}) {
  return AllPages(store, filter, PostSort::kNewest, kMaxPageSize);
}

Post Find(Store& store, const std::string& source, const std::string& external_id) {
  PostFilter f;
  f.sources = {source};
  f.false_positive = std::nullopt;
  for (const Post& p : All(store, f)) {
    if (p.external_id == external_id) return p;
  }
  ADD_FAILURE() << "post " << source << "/" << external_id << " not found";
  return {};
}

std::vector<std::string> SearchIds(Store& store, const std::string& q) {
  PostFilter f;
  f.q = q;
  auto ids = ExternalIds(All(store, f));
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

// Reference semantics of PostFilter without q.
bool Matches(const Post& p, const PostFilter& f) {
  return Contains(f.sources, p.source) && Contains(f.languages, p.language) &&
         Contains(f.sentiments, p.sentiment_label) && Contains(f.products, p.product) &&
         Contains(f.countries, p.country) && (!f.complaint || *f.complaint == p.is_complaint) &&
         (!f.answered || *f.answered == p.answered) &&
         (!f.false_positive || *f.false_positive == p.false_positive) &&
         (!f.since || p.created_at >= *f.since) && (!f.until || p.created_at < *f.until);
}

// A varied data set: values drawn from small sets so that every filter value and combination
// has matches, and created_at / relevance have many ties.
std::vector<Post> VariedPosts(int n, unsigned seed = 42) {
  std::mt19937 rng(seed);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  const std::vector<std::string> sources = {"hackernews", "reddit", "trustpilot", "mastodon"};
  const std::vector<std::string> languages = {"en", "fr", "de", ""};
  const std::vector<std::string> sentiments = {"positive", "neutral", "negative"};
  const std::vector<std::string> products = {"vps", "domains", "bare-metal", ""};
  const std::vector<std::string> countries = {"FR", "DE", "GB", ""};
  std::vector<Post> posts;
  for (int i = 0; i < n; ++i) {
    Post p = MakePost(pick(sources), "v" + std::to_string(i),
                      kT0 + static_cast<UnixSeconds>(rng() % 40) * 3600);
    p.language = pick(languages);
    p.sentiment_label = pick(sentiments);
    p.product = pick(products);
    p.country = pick(countries);
    p.is_complaint = rng() % 2 == 0;
    p.answered = rng() % 3 == 0;
    p.false_positive = rng() % 5 == 0;
    p.relevance_score = static_cast<double>(rng() % 5) / 4.0;
    posts.push_back(std::move(p));
  }
  return posts;
}

std::vector<std::string> ExpectedIds(const std::vector<Post>& posts, const PostFilter& f) {
  std::vector<std::string> ids;
  for (const Post& p : posts) {
    if (Matches(p, f)) ids.push_back(p.external_id);
  }
  return ids;
}

// --- migrations, ping ---

TEST_P(StoreConformanceTest, MigrateIsIdempotentAndKeepsData) {
  EXPECT_FALSE(store().backend().empty());
  ASSERT_TRUE(store().Ping().ok());
  ASSERT_TRUE(Upsert(store(), {MakePost("hackernews", "1")}).ok());
  ASSERT_TRUE(store().Migrate().ok());
  ASSERT_TRUE(store().Migrate().ok());
  EXPECT_EQ(All(store()).size(), 1u);
  EXPECT_TRUE(store().Ping().ok());
}

// --- upsert ---

TEST_P(StoreConformanceTest, UpsertCountsInsertedUpdatedUnchanged) {
  std::vector<Post> batch = {MakePost("hackernews", "1"), MakePost("hackernews", "2"),
                             MakePost("reddit", "1")};
  auto first = Upsert(store(), batch);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->inserted, 3);
  EXPECT_EQ(first->updated, 0);
  EXPECT_EQ(first->unchanged, 0);

  auto again = Upsert(store(), batch);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->inserted, 0);
  EXPECT_EQ(again->updated, 0);
  EXPECT_EQ(again->unchanged, 3);

  batch[1].title = "A new title";
  batch[2].engagement.likes = 7;
  batch.push_back(MakePost("reddit", "2"));
  auto third = Upsert(store(), batch);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->inserted, 1);
  EXPECT_EQ(third->updated, 2);
  EXPECT_EQ(third->unchanged, 1);
  EXPECT_EQ(Find(store(), "hackernews", "2").title, "A new title");
  EXPECT_EQ(Find(store(), "reddit", "1").engagement.likes, 7);
  EXPECT_EQ(All(store()).size(), 4u);
}

TEST_P(StoreConformanceTest, EmptyBatchChangesNothing) {
  auto r = store().UpsertPosts({});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted + r->updated + r->unchanged, 0);
}

TEST_P(StoreConformanceTest, GetPostRoundTripsEveryField) {
  Post p = MakePost("trustpilot", "abc-1", kT0);
  p.url = "HTTPS://Example.COM:443/review/1/?utm_source=x&page=2#frag";
  p.title = "Déçu du support — «VPS» 🚀";
  p.content = "Line one\nline \"two\" with 'quotes' and ; DROP TABLE posts; --";
  p.author = "Zoë";
  p.collected_at = kT0 + 99;
  p.language = "fr";
  p.sentiment_score = -0.731;
  p.sentiment_label = "negative";
  p.is_complaint = true;
  p.complaint_score = 0.875;
  p.product = "vps";
  p.country = "FR";
  p.relevance_score = 0.625;
  p.rating = 1.5;
  p.engagement = {3, -2, 11};
  p.evidence_json = R"({"complaint":["déçu","support"]})";
  p.metadata_json = R"({"tags":["a","b"],"n":1})";
  p.answered = true;
  p.answered_at = kT0 + 500;
  p.answered_by = "alice";
  p.answered_method = "detected";
  ASSERT_TRUE(Upsert(store(), {p}).ok());

  const Post found = Find(store(), "trustpilot", "abc-1");
  ASSERT_GT(found.id, 0);
  auto got = store().GetPost(found.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  Post expected = p;
  NormalizePost(expected);
  expected.id = found.id;
  EXPECT_EQ(*got, expected);
  EXPECT_EQ(got->url, "https://example.com/review/1?page=2");
  EXPECT_EQ(got->content_hash, ContentHash(p.title, p.content));

  Post no_rating = MakePost("trustpilot", "abc-2");
  ASSERT_TRUE(Upsert(store(), {no_rating}).ok());
  EXPECT_FALSE(Find(store(), "trustpilot", "abc-2").rating.has_value());
  EXPECT_FALSE(Find(store(), "trustpilot", "abc-2").answered_at.has_value());
}

TEST_P(StoreConformanceTest, GetPostUnknownIsNotFound) {
  auto r = store().GetPost(987654);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, DedupBySourceAndExternalId) {
  ASSERT_TRUE(Upsert(store(), {MakePost("reddit", "t3_1", kT0)}).ok());
  Post changed = MakePost("reddit", "t3_1", kT0 + 999);
  changed.url = "https://reddit.com/r/ovh/other";
  changed.content = "Completely different text";
  auto r = Upsert(store(), {changed});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->updated, 1);
  const auto all = All(store());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].content, "Completely different text");
  EXPECT_EQ(all[0].url, "https://reddit.com/r/ovh/other");
  EXPECT_EQ(all[0].created_at, kT0) << "created_at of the stored post is kept";
}

TEST_P(StoreConformanceTest, DedupByNormalizedUrl) {
  Post a = MakePost("hackernews", "100");
  a.url = "https://news.example.com/item?id=5";
  ASSERT_TRUE(Upsert(store(), {a}).ok());

  // Another source and id, same page reached through a tracking link.
  Post b = MakePost("googlenews", "zzz");
  b.url = "HTTPS://NEWS.example.com:443/item/?id=5&utm_medium=rss#top";
  b.title = a.title;
  b.content = a.content;
  b.collected_at = a.collected_at;
  auto r = Upsert(store(), {b});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 0);
  EXPECT_EQ(r->unchanged, 1);

  b.title = "Updated through the URL match";
  r = Upsert(store(), {b});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->updated, 1);

  PostFilter any;
  any.false_positive = std::nullopt;
  const auto all = All(store(), any);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].source, "hackernews") << "identity of the first post is kept";
  EXPECT_EQ(all[0].external_id, "100");
  EXPECT_EQ(all[0].title, "Updated through the URL match");
}

TEST_P(StoreConformanceTest, DedupByContentHashWithinOneSource) {
  Post a = MakePost("mastodon", "1");
  a.url = "";
  a.title = "";
  a.content = "OVH  is DOWN again!";
  ASSERT_TRUE(Upsert(store(), {a}).ok());

  Post same = MakePost("mastodon", "2");  // a boost: other id, no URL, same words
  same.url = "";
  same.title = "";
  same.content = "ovh is down again";
  same.collected_at = a.collected_at;
  auto r = Upsert(store(), {same});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 0);
  EXPECT_EQ(r->updated + r->unchanged, 1);

  Post other_source = same;
  other_source.source = "reddit";
  Post other_text = MakePost("mastodon", "3");
  other_text.url = "";
  other_text.content = "Something else entirely";
  r = Upsert(store(), {other_source, other_text});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 2) << "same content from another source, or an empty URL, is not a dup";
  EXPECT_EQ(All(store()).size(), 3u);
}

TEST_P(StoreConformanceTest, DuplicatesInsideOneBatchAreCounted) {
  Post a = MakePost("hackernews", "1");
  Post again = a;
  auto r = Upsert(store(), {a, again});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 1);
  EXPECT_EQ(r->unchanged, 1);
  EXPECT_EQ(All(store()).size(), 1u);
}

TEST_P(StoreConformanceTest, ReupsertNeverTouchesTriageNorCreatedAt) {
  Post p = MakePost("trustpilot", "r1", kT0);
  ASSERT_TRUE(Upsert(store(), {p}).ok());
  const std::int64_t id = Find(store(), "trustpilot", "r1").id;
  TriagePatch patch;
  patch.answered = true;
  patch.false_positive = true;
  patch.actor = "bob";
  patch.now = kT0 + 10;
  ASSERT_TRUE(store().UpdateTriage(id, patch).ok());

  Post rescraped = p;
  rescraped.created_at = kT0 + 5000;
  rescraped.content = "Edited by the author";
  rescraped.answered = false;
  rescraped.false_positive = false;
  auto r = Upsert(store(), {rescraped});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->updated, 1);

  auto got = store().GetPost(id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->content, "Edited by the author");
  EXPECT_EQ(got->created_at, kT0);
  EXPECT_TRUE(got->answered);
  EXPECT_EQ(got->answered_at, kT0 + 10);
  EXPECT_EQ(got->answered_by, "bob");
  EXPECT_EQ(got->answered_method, "manual");
  EXPECT_TRUE(got->false_positive);

  r = Upsert(store(), {rescraped});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unchanged, 1) << "triage differences alone are not an update";
}

TEST_P(StoreConformanceTest, BatchWithABadPostChangesNothing) {
  ASSERT_TRUE(Upsert(store(), {MakePost("reddit", "keep")}).ok());
  Post updated = MakePost("reddit", "keep");
  updated.title = "should not be stored";
  Post no_source = MakePost("", "x");
  auto r = Upsert(store(), {updated, MakePost("reddit", "new"), no_source});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("source"), std::string::npos) << r.status().ToString();

  Post no_id = MakePost("reddit", "");
  r = Upsert(store(), {MakePost("reddit", "new2"), no_id});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("external_id"), std::string::npos);

  const auto all = All(store());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].title, "Title keep");
}

TEST_P(StoreConformanceTest, EvidenceAndMetadataMustBeJsonObjects) {
  ASSERT_TRUE(Upsert(store(), {MakePost("reddit", "keep")}).ok());
  for (const char* bad : {"[1]", "3", "\"text\"", "null", "{not json"}) {
    Post evidence = MakePost("reddit", "e");
    evidence.evidence_json = bad;
    auto r = Upsert(store(), {MakePost("reddit", "ok"), evidence});
    ASSERT_FALSE(r.ok()) << "evidence " << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    Post metadata = MakePost("reddit", "keep");  // an update of a stored post
    metadata.metadata_json = bad;
    metadata.title = "changed";
    r = Upsert(store(), {metadata});
    ASSERT_FALSE(r.ok()) << "metadata " << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  }
  const auto all = All(store());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].title, "Title keep");
  EXPECT_EQ(all[0].metadata_json, "{}");
}

// --- filters ---

TEST_P(StoreConformanceTest, EveryFilterAloneAndCombined) {
  const std::vector<Post> posts = VariedPosts(160);
  auto r = Upsert(store(), posts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->inserted, 160);

  std::vector<std::pair<std::string, PostFilter>> cases;
  auto add = [&](std::string name, auto mutate) {
    PostFilter f;
    mutate(f);
    cases.emplace_back(std::move(name), std::move(f));
  };
  add("default", [](PostFilter&) {});
  add("sources", [](PostFilter& f) { f.sources = {"reddit"}; });
  add("two sources", [](PostFilter& f) { f.sources = {"reddit", "mastodon"}; });
  add("unknown source", [](PostFilter& f) { f.sources = {"nope"}; });
  add("languages", [](PostFilter& f) { f.languages = {"fr", "de"}; });
  add("empty language", [](PostFilter& f) { f.languages = {""}; });
  add("sentiments", [](PostFilter& f) { f.sentiments = {"negative"}; });
  add("products", [](PostFilter& f) { f.products = {"vps"}; });
  add("countries", [](PostFilter& f) { f.countries = {"FR", "GB"}; });
  add("complaint", [](PostFilter& f) { f.complaint = true; });
  add("not complaint", [](PostFilter& f) { f.complaint = false; });
  add("answered", [](PostFilter& f) { f.answered = true; });
  add("unanswered", [](PostFilter& f) { f.answered = false; });
  add("false positives only", [](PostFilter& f) { f.false_positive = true; });
  add("with false positives", [](PostFilter& f) { f.false_positive = std::nullopt; });
  add("since", [](PostFilter& f) { f.since = kT0 + 20 * 3600; });
  add("until", [](PostFilter& f) { f.until = kT0 + 10 * 3600; });
  add("since+until", [](PostFilter& f) {
    f.since = kT0 + 5 * 3600;
    f.until = kT0 + 6 * 3600;
  });
  add("combined", [](PostFilter& f) {
    f.sources = {"reddit", "trustpilot"};
    f.sentiments = {"negative", "neutral"};
    f.complaint = true;
    f.answered = false;
    f.since = kT0 + 3600;
  });
  add("combined with fp", [](PostFilter& f) {
    f.products = {"vps", ""};
    f.countries = {"FR"};
    f.languages = {"en", "fr"};
    f.false_positive = std::nullopt;
    f.until = kT0 + 30 * 3600;
  });

  for (const auto& [name, filter] : cases) {
    SCOPED_TRACE(name);
    const auto expected = ExpectedIds(posts, filter);
    if (name != "unknown source") {
      EXPECT_FALSE(expected.empty()) << "data set too small";
    }
    EXPECT_THAT(ExternalIds(AllPages(store(), filter, PostSort::kNewest, 200)),
                UnorderedElementsAreArray(expected));
    EXPECT_THAT(ExternalIds(AllPages(store(), filter, PostSort::kRelevance, 9)),
                UnorderedElementsAreArray(expected));
    auto stats = store().Stats(filter, StatsBucket::kDay);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    EXPECT_EQ(stats->total, static_cast<std::int64_t>(expected.size()));
  }
}

// --- full text ---

TEST_P(StoreConformanceTest, TextSearchMatchesWholeWordsCaseInsensitively) {
  std::vector<Post> posts;
  auto add = [&](std::string id, std::string title, std::string content) {
    Post p = MakePost("reddit", std::move(id));
    p.title = std::move(title);
    p.content = std::move(content);
    posts.push_back(std::move(p));
  };
  add("vps", "My VPS is down", "No answer from support");
  add("panne", "Panne serveur", "Le serveur est en panne depuis hier");
  add("cafe", "Un café", "Le café est froid");
  add("cafe2", "A cafe", "Plain cafe without accent");
  add("ete", "Été chaud", "Rien");
  add("andor", "and / or", "this and that or other");
  add("server", "servers", "Many servers");
  ASSERT_TRUE(Upsert(store(), posts).ok());

  EXPECT_THAT(SearchIds(store(), "vps"), ElementsAre("vps"));
  EXPECT_THAT(SearchIds(store(), "VPS"), ElementsAre("vps"));
  EXPECT_THAT(SearchIds(store(), "vps support"), ElementsAre("vps")) << "title + content";
  EXPECT_THAT(SearchIds(store(), "vps panne"), ElementsAre()) << "words are ANDed";
  EXPECT_THAT(SearchIds(store(), "  SERVEUR   panne "), ElementsAre("panne"));
  EXPECT_THAT(SearchIds(store(), "serv"), ElementsAre()) << "whole words only";
  EXPECT_THAT(SearchIds(store(), "server"), ElementsAre()) << "no stemming";
  EXPECT_THAT(SearchIds(store(), "servers"), ElementsAre("server"));
  EXPECT_THAT(SearchIds(store(), "café"), ElementsAre("cafe"));
  EXPECT_THAT(SearchIds(store(), "cafe"), ElementsAre("cafe2")) << "accents are significant";
  EXPECT_THAT(SearchIds(store(), "CAFÉ"), ElementsAre("cafe"));
  EXPECT_THAT(SearchIds(store(), "été"), ElementsAre("ete")) << "non-ASCII case folding";
  EXPECT_THAT(SearchIds(store(), "vps!"), ElementsAre("vps")) << "punctuation is not a word";
  EXPECT_THAT(SearchIds(store(), "AND OR ("), ElementsAre("andor")) << "operators are words";
  EXPECT_THAT(SearchIds(store(), "\"vps\""), ElementsAre("vps"));

  for (const char* hostile :
       {"\"", "(", ")", "*", "AND", "OR NOT", "NEAR(vps, support)", "title:vps", "-vps", "^vps",
        "vps*", "{title}: x", "' OR 1=1 --", "\\", ";", "\"unbalanced", "+", "«»", "…"}) {
    SCOPED_TRACE(hostile);
    PostFilter f;
    f.q = hostile;
    PostPageRequest req;
    req.filter = f;
    auto page = store().ListPosts(req);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    auto stats = store().Stats(f, StatsBucket::kDay);
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
  }
  EXPECT_THAT(SearchIds(store(), "\""), ElementsAre()) << "no words: nothing matches";
  EXPECT_THAT(SearchIds(store(), "title:vps"), ElementsAre()) << "'title' is a word here";
  EXPECT_THAT(SearchIds(store(), "NEAR(vps, support)"), ElementsAre());
}

TEST_P(StoreConformanceTest, TextSearchFollowsContentUpdates) {
  Post p = MakePost("reddit", "1");
  p.content = "original words";
  ASSERT_TRUE(Upsert(store(), {p}).ok());
  EXPECT_THAT(SearchIds(store(), "original"), ElementsAre("1"));
  p.content = "replacement text";
  ASSERT_TRUE(Upsert(store(), {p}).ok());
  EXPECT_THAT(SearchIds(store(), "original"), ElementsAre());
  EXPECT_THAT(SearchIds(store(), "replacement"), ElementsAre("1"));
}

TEST_P(StoreConformanceTest, TextSearchCombinesWithFiltersAndPaging) {
  std::vector<Post> posts;
  for (int i = 0; i < 30; ++i) {
    Post p = MakePost(i % 2 ? "reddit" : "hackernews", std::to_string(i), kT0 + i % 4);
    p.content = i % 3 == 0 ? "outage in gravelines" : "all good";
    posts.push_back(p);
  }
  ASSERT_TRUE(Upsert(store(), posts).ok());
  PostFilter f;
  f.q = "Outage";
  f.sources = {"reddit"};
  std::vector<std::string> expected;
  for (int i = 0; i < 30; ++i) {
    if (i % 3 == 0 && i % 2 == 1) expected.push_back(std::to_string(i));
  }
  EXPECT_THAT(ExternalIds(AllPages(store(), f, PostSort::kOldest, 2)),
              UnorderedElementsAreArray(expected));
}

// --- sorting and keyset pagination ---

std::vector<Post> Sorted(std::vector<Post> posts, PostSort sort) {
  std::sort(posts.begin(), posts.end(), [&](const Post& a, const Post& b) {
    switch (sort) {
      case PostSort::kNewest:
        return std::tie(a.created_at, a.id) > std::tie(b.created_at, b.id);
      case PostSort::kOldest:
        return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
      case PostSort::kRelevance:
        return std::tie(a.relevance_score, a.id) > std::tie(b.relevance_score, b.id);
    }
    return false;
  });
  return posts;
}

std::vector<std::int64_t> Ids(const std::vector<Post>& posts) {
  std::vector<std::int64_t> ids;
  for (const Post& p : posts) ids.push_back(p.id);
  return ids;
}

TEST_P(StoreConformanceTest, KeysetPaginationVisitsEveryRowOnceInOrder) {
  std::vector<Post> posts;
  for (int i = 0; i < 137; ++i) {
    // Heavy ties: 5 distinct times, 4 distinct relevances.
    Post p = MakePost("hackernews", std::to_string(i), kT0 + (i * 7) % 5);
    p.relevance_score = static_cast<double>(i % 4) / 3.0;  // includes 1/3, 2/3: not exact
    posts.push_back(p);
  }
  ASSERT_TRUE(Upsert(store(), posts).ok());
  const std::vector<Post> stored = All(store());
  ASSERT_EQ(stored.size(), posts.size());

  for (PostSort sort : {PostSort::kNewest, PostSort::kOldest, PostSort::kRelevance}) {
    for (int limit : {1, 7, 50, 137, 200}) {
      SCOPED_TRACE(std::string(PostSortName(sort)) + " limit " + std::to_string(limit));
      int pages = 0;
      const auto got = AllPages(store(), {}, sort, limit, &pages);
      EXPECT_EQ(Ids(got), Ids(Sorted(stored, sort)));
      EXPECT_EQ(pages, (137 + limit - 1) / limit);
    }
  }
}

TEST_P(StoreConformanceTest, NextIsUnsetOnAnExactlyFullLastPage) {
  std::vector<Post> posts;
  for (int i = 0; i < 6; ++i) posts.push_back(MakePost("reddit", std::to_string(i), kT0 + i));
  ASSERT_TRUE(Upsert(store(), posts).ok());
  PostPageRequest req;
  req.limit = 3;
  auto first = store().ListPosts(req);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 3u);
  ASSERT_TRUE(first->next.has_value());
  EXPECT_EQ(first->items[0].external_id, "5");
  req.after = first->next;
  auto second = store().ListPosts(req);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->items.size(), 3u);
  EXPECT_FALSE(second->next.has_value());
  EXPECT_EQ(second->items[2].external_id, "0");

  PostPageRequest none;
  none.filter.sources = {"nothing"};
  auto empty = store().ListPosts(none);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->items.empty());
  EXPECT_FALSE(empty->next.has_value());
}

TEST_P(StoreConformanceTest, CursorFromAnEncodedStringContinues) {
  std::vector<Post> posts;
  for (int i = 0; i < 5; ++i) posts.push_back(MakePost("reddit", std::to_string(i), kT0));
  ASSERT_TRUE(Upsert(store(), posts).ok());
  PostPageRequest req;
  req.sort = PostSort::kRelevance;
  req.limit = 2;
  auto first = store().ListPosts(req);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->next.has_value());
  auto decoded = DecodeCursor(EncodeCursor(*first->next), PostSort::kRelevance);
  ASSERT_TRUE(decoded.ok());
  req.after = *decoded;
  auto second = store().ListPosts(req);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->items.size(), 2u);
  EXPECT_LT(second->items[0].id, first->items[1].id);
}

// --- stats ---

TEST_P(StoreConformanceTest, StatsOnAnEmptyStore) {
  auto s = store().Stats({}, StatsBucket::kWeek);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*s, PostStats{});
}

struct StatsFixturePost {
  std::string id;
  std::string source;
  UnixSeconds created_at;
  std::string sentiment;
  bool complaint;
  bool answered;
  std::string product;
  std::string language;
  std::string country;
  bool false_positive = false;
};

std::vector<Post> StatsPosts() {
  // 2024-01-01 is a Monday; 2024-01-07 a Sunday; 2024-02-29 a Thursday (leap day).
  const std::vector<StatsFixturePost> rows = {
      {"1", "reddit", Day(2024, 1, 1, 0), "negative", true, false, "vps", "fr", "FR"},
      {"2", "reddit", Day(2024, 1, 1, 23), "negative", true, true, "vps", "fr", "FR"},
      {"3", "hackernews", Day(2024, 1, 7, 23), "positive", false, false, "", "en", ""},
      {"4", "trustpilot", Day(2024, 1, 8, 0), "neutral", true, false, "domains", "en", "GB"},
      {"5", "trustpilot", Day(2024, 1, 31, 12), "negative", false, false, "vps", "de", "DE"},
      {"6", "hackernews", Day(2024, 2, 29, 12), "negative", true, false, "domains", "fr", "FR"},
      {"7", "reddit", Day(2024, 2, 29, 13), "positive", false, false, "", "en", "FR", true},
  };
  std::vector<Post> posts;
  for (const auto& r : rows) {
    Post p = MakePost(r.source, r.id, r.created_at);
    p.sentiment_label = r.sentiment;
    p.is_complaint = r.complaint;
    p.answered = r.answered;
    if (r.answered) {
      p.answered_at = r.created_at;
      p.answered_by = "care";
      p.answered_method = "manual";
    }
    p.product = r.product;
    p.language = r.language;
    p.country = r.country;
    p.false_positive = r.false_positive;
    posts.push_back(p);
  }
  return posts;
}

TimelinePoint Point(std::string period, std::int64_t total, std::int64_t pos, std::int64_t neu,
                    std::int64_t neg, std::int64_t complaints) {
  return TimelinePoint{std::move(period), total, pos, neu, neg, complaints};
}

TEST_P(StoreConformanceTest, StatsTotalsTimelineAndBreakdowns) {
  ASSERT_TRUE(Upsert(store(), StatsPosts()).ok());

  auto day = store().Stats({}, StatsBucket::kDay);
  ASSERT_TRUE(day.ok()) << day.status().ToString();
  EXPECT_EQ(day->total, 6);  // the false positive is excluded by default
  EXPECT_EQ(day->complaints, 4);
  EXPECT_EQ(day->negative, 4);
  EXPECT_EQ(day->answered, 1);
  EXPECT_EQ(day->unanswered_complaints, 3);
  EXPECT_THAT(day->timeline,
              ElementsAre(Point("2024-01-01", 2, 0, 0, 2, 2), Point("2024-01-07", 1, 1, 0, 0, 0),
                          Point("2024-01-08", 1, 0, 1, 0, 1), Point("2024-01-31", 1, 0, 0, 1, 0),
                          Point("2024-02-29", 1, 0, 0, 1, 1)));

  auto week = store().Stats({}, StatsBucket::kWeek);
  ASSERT_TRUE(week.ok());
  EXPECT_THAT(week->timeline,
              ElementsAre(Point("2024-01-01", 3, 1, 0, 2, 2), Point("2024-01-08", 1, 0, 1, 0, 1),
                          Point("2024-01-29", 1, 0, 0, 1, 0), Point("2024-02-26", 1, 0, 0, 1, 1)));

  auto month = store().Stats({}, StatsBucket::kMonth);
  ASSERT_TRUE(month.ok());
  EXPECT_THAT(month->timeline,
              ElementsAre(Point("2024-01-01", 5, 1, 1, 3, 3), Point("2024-02-01", 1, 0, 0, 1, 1)));
  EXPECT_EQ(month->total, day->total);

  // Count descending, then key ascending; "" (unknown) is a key like any other.
  EXPECT_THAT(day->by_source, ElementsAre(CountByKey{"hackernews", 2}, CountByKey{"reddit", 2},
                                          CountByKey{"trustpilot", 2}));
  EXPECT_THAT(day->by_sentiment, ElementsAre(CountByKey{"negative", 4}, CountByKey{"neutral", 1},
                                             CountByKey{"positive", 1}));
  EXPECT_THAT(day->by_product, ElementsAre(CountByKey{"vps", 3}, CountByKey{"domains", 2},
                                           CountByKey{"", 1}));
  EXPECT_THAT(day->by_language, ElementsAre(CountByKey{"fr", 3}, CountByKey{"en", 2},
                                            CountByKey{"de", 1}));
  EXPECT_THAT(day->by_country, ElementsAre(CountByKey{"FR", 3}, CountByKey{"", 1},
                                           CountByKey{"DE", 1}, CountByKey{"GB", 1}));
}

TEST_P(StoreConformanceTest, StatsHonourTheFilter) {
  ASSERT_TRUE(Upsert(store(), StatsPosts()).ok());
  PostFilter f;
  f.sources = {"reddit"};
  f.false_positive = std::nullopt;
  auto s = store().Stats(f, StatsBucket::kMonth);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->total, 3);
  EXPECT_EQ(s->complaints, 2);
  EXPECT_EQ(s->answered, 1);
  EXPECT_EQ(s->unanswered_complaints, 1);
  EXPECT_THAT(s->timeline,
              ElementsAre(Point("2024-01-01", 2, 0, 0, 2, 2), Point("2024-02-01", 1, 1, 0, 0, 0)));
  EXPECT_THAT(s->by_source, ElementsAre(CountByKey{"reddit", 3}));
  EXPECT_THAT(s->by_country, ElementsAre(CountByKey{"FR", 3}));

  PostFilter range;
  range.since = Day(2024, 1, 7, 0);
  range.until = Day(2024, 1, 31, 12);  // exclusive: post 5 is out
  s = store().Stats(range, StatsBucket::kDay);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->total, 2);
  EXPECT_THAT(s->timeline,
              ElementsAre(Point("2024-01-07", 1, 1, 0, 0, 0), Point("2024-01-08", 1, 0, 1, 0, 1)));
}

// --- triage ---

TEST_P(StoreConformanceTest, UpdateTriageSetsAndClears) {
  ASSERT_TRUE(Upsert(store(), {MakePost("reddit", "1")}).ok());
  const std::int64_t id = Find(store(), "reddit", "1").id;

  TriagePatch answer;
  answer.answered = true;
  answer.actor = "carol";
  answer.method = "manual";
  answer.now = kT0 + 100;
  auto r = store().UpdateTriage(id, answer);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->answered);
  EXPECT_EQ(r->answered_at, kT0 + 100);
  EXPECT_EQ(r->answered_by, "carol");
  EXPECT_EQ(r->answered_method, "manual");
  EXPECT_FALSE(r->false_positive);
  EXPECT_EQ(*store().GetPost(id), *r);

  TriagePatch fp;
  fp.false_positive = true;
  r = store().UpdateTriage(id, fp);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->false_positive);
  EXPECT_TRUE(r->answered) << "unset fields are left alone";
  EXPECT_EQ(r->answered_by, "carol");
  EXPECT_TRUE(All(store()).empty()) << "false positives leave the default listing";

  TriagePatch unanswer;
  unanswer.answered = false;
  unanswer.false_positive = false;
  r = store().UpdateTriage(id, unanswer);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->answered);
  EXPECT_FALSE(r->answered_at.has_value());
  EXPECT_EQ(r->answered_by, "");
  EXPECT_EQ(r->answered_method, "");
  EXPECT_FALSE(r->false_positive);

  r = store().UpdateTriage(id, TriagePatch{});
  ASSERT_TRUE(r.ok()) << "an empty patch returns the post";
  EXPECT_EQ(r->id, id);

  r = store().UpdateTriage(id + 1000, answer);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

// --- tokens ---

ApiToken Token(std::string name, Role role = Role::kOperator) {
  ApiToken t;
  t.name = std::move(name);
  t.role = role;
  t.secret_hash = std::string(64, 'a');
  return t;
}

TEST_P(StoreConformanceTest, TokensCreateGetListRevoke) {
  ApiToken in = Token("ci", Role::kAdmin);
  in.created_at = kT0;
  auto a = store().CreateToken(in);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_GT(a->id, 0);
  EXPECT_EQ(a->name, "ci");
  EXPECT_EQ(a->role, Role::kAdmin);
  EXPECT_EQ(a->created_at, kT0);
  EXPECT_FALSE(a->revoked_at.has_value());

  auto b = store().CreateToken(Token("dashboard", Role::kViewer));
  ASSERT_TRUE(b.ok());
  EXPECT_GT(b->id, a->id);
  EXPECT_EQ(b->created_at, clock_.NowSeconds()) << "created_at 0 takes the clock's time";

  auto got = store().GetToken(a->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, *a);

  auto dup = store().CreateToken(Token("ci"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);

  ASSERT_TRUE(store().RevokeToken(a->id, kT0 + 10).ok());
  ASSERT_TRUE(store().RevokeToken(a->id, kT0 + 20).ok()) << "revoking twice is fine";
  got = store().GetToken(a->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->revoked_at, kT0 + 10) << "the first revocation time is kept";

  auto reused = store().CreateToken(Token("ci", Role::kViewer));
  ASSERT_TRUE(reused.ok()) << "a revoked token's name can be reused";

  auto list = store().ListTokens();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, a->id);
  EXPECT_EQ((*list)[0].revoked_at, kT0 + 10);
  EXPECT_EQ((*list)[1], *b);
  EXPECT_EQ((*list)[2].id, reused->id);

  EXPECT_EQ(store().GetToken(99999).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store().RevokeToken(99999, kT0).code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, TokenWithoutNameIsInvalid) {
  auto r = store().CreateToken(Token(""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

// --- concurrency ---

TEST_P(StoreConformanceTest, ConcurrentWritersAndReaders) {
  constexpr int kWriters = 4;
  constexpr int kBatches = 10;
  constexpr int kPerBatch = 25;
  std::atomic<int> writers_left{kWriters};
  std::atomic<std::int64_t> inserted{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Post> batch;
        for (int i = 0; i < kPerBatch; ++i) {
          batch.push_back(MakePost("w" + std::to_string(w), std::to_string(b * kPerBatch + i),
                                   kT0 + i));
        }
        // Every batch also repeats a post every writer shares: exactly one insert wins.
        batch.push_back(MakePost("shared", "same"));
        auto r = Upsert(store(), batch);
        if (!r.ok()) {
          ADD_FAILURE() << r.status().ToString();
          ++errors;
          continue;
        }
        inserted += r->inserted;
        if (r->inserted + r->updated + r->unchanged != kPerBatch + 1) ++errors;
      }
      --writers_left;
    });
  }
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&] {
      std::int64_t last_total = 0;
      do {
        PostPageRequest req;
        req.limit = 20;
        auto page = store().ListPosts(req);
        auto stats = store().Stats({}, StatsBucket::kDay);
        if (!page.ok() || !stats.ok()) {
          ++errors;
          ADD_FAILURE() << (page.ok() ? stats.status() : page.status()).ToString();
          continue;
        }
        if (stats->total < last_total) ++errors;  // committed posts never disappear
        last_total = stats->total;
      } while (writers_left.load() > 0);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  const std::int64_t expected = kWriters * kBatches * kPerBatch + 1;
  EXPECT_EQ(inserted.load(), expected);
  auto stats = store().Stats({}, StatsBucket::kMonth);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->total, expected);
  EXPECT_EQ(All(store()).size(), static_cast<std::size_t>(expected));
}

// --- bulk load (BulkUpsertPosts) ---

// Hands out `batches` one by one, then an empty batch; with `fail_after`, fails instead of
// handing out batch number `fail_after` (0-based).
Store::PostBatchSource Batches(std::vector<std::vector<Post>> batches,
                               std::optional<std::size_t> fail_after = std::nullopt) {
  auto next = std::make_shared<std::size_t>(0);
  auto all = std::make_shared<std::vector<std::vector<Post>>>(std::move(batches));
  return [next, all, fail_after]() -> Result<std::vector<Post>> {
    if (fail_after && *next == *fail_after) return Status::Internal("the source broke");
    if (*next >= all->size()) return std::vector<Post>{};
    return (*all)[(*next)++];
  };
}

// Posts stored before a bulk load, and the load itself: new posts over several days, sources,
// sentiments and products; updates of stored posts (text, sentiment, product); a post inserted
// by the load and changed later in the same load; exact duplicates.
std::vector<Post> StoredBeforeBulk() {
  std::vector<Post> posts;
  for (int i = 0; i < 6; ++i) {
    Post p = MakePost(i % 2 ? "reddit" : "hackernews", "old" + std::to_string(i), kT0 - 86400 * i);
    p.title = "Old walrus " + std::to_string(i);
    p.product = "vps";
    posts.push_back(p);
  }
  return posts;
}

std::vector<std::vector<Post>> BulkBatches() {
  std::vector<std::vector<Post>> batches(3);
  const char* sentiments[] = {"positive", "neutral", "negative"};
  const char* products[] = {"vps", "domains", ""};
  for (int i = 0; i < 30; ++i) {
    Post p = MakePost(i % 3 ? "trustpilot" : "mastodon", "new" + std::to_string(i),
                      kT0 + 3600 * 7 * i * (i % 2 ? 1 : -1));
    p.sentiment_label = sentiments[i % 3];
    p.product = products[i % 3];
    p.is_complaint = i % 4 == 0;
    p.country = i % 5 ? "FR" : "DE";
    batches[static_cast<std::size_t>(i % 3)].push_back(p);
  }
  std::vector<Post> old = StoredBeforeBulk();
  old[0].title = "Zebra instead";       // text changed
  old[1].sentiment_label = "negative";  // rollup columns changed
  old[1].product = "domains";
  old[2].content = "Gnu content";  // both
  old[2].is_complaint = true;
  batches[0].push_back(old[0]);
  batches[1].push_back(old[1]);
  batches[2].push_back(old[2]);
  batches[2].push_back(old[3]);  // unchanged
  Post changed_later = batches[0][0];
  changed_later.title = "Okapi later";
  changed_later.sentiment_label = "negative";
  batches[2].push_back(changed_later);
  batches[1].push_back(batches[0][1]);  // exact duplicate of a new post
  return batches;
}

void ExpectSameStores(Store& a, Store& b) {
  const std::vector<Post> all_a = All(a), all_b = All(b);
  ASSERT_EQ(all_a.size(), all_b.size());
  for (std::size_t i = 0; i < all_a.size(); ++i) {
    Post x = all_a[i], y = all_b[i];
    x.id = y.id = 0;
    EXPECT_EQ(x, y) << x.source << "/" << x.external_id;
  }
  for (const char* q : {"zebra", "walrus", "okapi", "gnu", "title", "content"}) {
    EXPECT_EQ(SearchIds(a, q), SearchIds(b, q)) << "q=" << q;
  }
  std::vector<PostFilter> filters(5);
  filters[1].sentiments = {"negative"};
  filters[2].products = {"domains"};
  filters[3].q = "title";
  filters[4].complaint = true;
  for (const PostFilter& f : filters) {
    for (StatsBucket bucket : {StatsBucket::kDay, StatsBucket::kMonth}) {
      auto sa = a.Stats(f, bucket);
      auto sb = b.Stats(f, bucket);
      ASSERT_TRUE(sa.ok() && sb.ok());
      EXPECT_EQ(*sa, *sb);
    }
  }
}

TEST_P(StoreConformanceTest, BulkUpsertStoresWhatUpsertPostsWould) {
  auto opened = GetParam().open(clock_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& reference = **opened;
  ASSERT_TRUE(Upsert(store(), StoredBeforeBulk()).ok());
  ASSERT_TRUE(Upsert(reference, StoredBeforeBulk()).ok());

  UpsertSummary expected;
  for (const std::vector<Post>& batch : BulkBatches()) {
    auto r = Upsert(reference, batch);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    expected += *r;
  }
  auto bulk = store().BulkUpsertPosts(Batches(BulkBatches()));
  ASSERT_TRUE(bulk.ok()) << bulk.status().ToString();
  EXPECT_EQ(bulk->inserted, expected.inserted);
  EXPECT_EQ(bulk->updated, expected.updated);
  EXPECT_EQ(bulk->unchanged, expected.unchanged);
  EXPECT_EQ(bulk->inserted, 30);
  EXPECT_EQ(bulk->updated, 4);  // old0..old2 and the new post changed later
  EXPECT_EQ(bulk->unchanged, 2);

  // The deferred indexes hold the last values: old words gone, new ones found.
  EXPECT_THAT(SearchIds(store(), "zebra"), ElementsAre("old0"));
  EXPECT_THAT(SearchIds(store(), "okapi"), ElementsAre("new0"));
  EXPECT_THAT(SearchIds(store(), "gnu"), ElementsAre("old2"));
  EXPECT_EQ(SearchIds(store(), "walrus").size(), 5u);  // old0's title changed
  ExpectSameStores(store(), reference);

  // Loading the same batches again inserts nothing and leaves what a second pass of UpsertPosts
  // leaves (new0 is in the load twice, so it is updated to its first form, then to its last).
  auto again = store().BulkUpsertPosts(Batches(BulkBatches()));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->inserted, 0);
  EXPECT_EQ(again->updated, 2);
  EXPECT_EQ(again->unchanged, 34);
  for (const std::vector<Post>& batch : BulkBatches()) ASSERT_TRUE(Upsert(reference, batch).ok());
  ExpectSameStores(store(), reference);
  // A load without a post twice is idempotent outright.
  std::vector<std::vector<Post>> once = BulkBatches();
  once[0].erase(once[0].begin());
  auto third = store().BulkUpsertPosts(Batches(once));
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->inserted + third->updated, 0);
  EXPECT_EQ(third->unchanged, 35);
  ExpectSameStores(store(), reference);

  // Later single upserts still maintain search and stats (the store's own paths are intact).
  Post later = MakePost("github", "after-bulk", kT0 + 86400 * 3);
  later.title = "Capybara";
  ASSERT_TRUE(Upsert(store(), {later}).ok());
  ASSERT_TRUE(Upsert(reference, {later}).ok());
  Post old0 = BulkBatches()[0].back();
  old0.title = "Yak again";
  ASSERT_TRUE(Upsert(store(), {old0}).ok());
  ASSERT_TRUE(Upsert(reference, {old0}).ok());
  EXPECT_THAT(SearchIds(store(), "capybara"), ElementsAre("after-bulk"));
  EXPECT_THAT(SearchIds(store(), "yak"), ElementsAre("old0"));
  EXPECT_THAT(SearchIds(store(), "zebra"), ElementsAre());
  ExpectSameStores(store(), reference);
}

TEST_P(StoreConformanceTest, FailedBulkUpsertStoresNothing) {
  ASSERT_TRUE(Upsert(store(), StoredBeforeBulk()).ok());
  const std::vector<Post> before = All(store());
  auto stats_before = store().Stats({}, StatsBucket::kDay);
  ASSERT_TRUE(stats_before.ok());

  // The source fails after two batches (new posts and updates already written).
  auto failed = store().BulkUpsertPosts(Batches(BulkBatches(), 2));
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("the source broke"), std::string::npos)
      << failed.status().ToString();
  // A bad post in the last batch fails the whole load too.
  std::vector<std::vector<Post>> bad = BulkBatches();
  bad[2].push_back(MakePost("", "no-source"));
  auto invalid = store().BulkUpsertPosts(Batches(bad));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.status().code(), StatusCode::kInvalidArgument) << invalid.status().ToString();

  EXPECT_EQ(All(store()), before);
  auto stats_after = store().Stats({}, StatsBucket::kDay);
  ASSERT_TRUE(stats_after.ok());
  EXPECT_EQ(*stats_after, *stats_before);
  EXPECT_THAT(SearchIds(store(), "zebra"), ElementsAre());
  EXPECT_EQ(SearchIds(store(), "walrus").size(), 6u);

  // Nothing of the failed loads is left behind: the same load now succeeds in full, and a
  // later single upsert is indexed as usual.
  auto bulk = store().BulkUpsertPosts(Batches(BulkBatches()));
  ASSERT_TRUE(bulk.ok()) << bulk.status().ToString();
  EXPECT_EQ(bulk->inserted, 30);
  Post later = MakePost("github", "after-failure", kT0);
  later.title = "Capybara";
  ASSERT_TRUE(Upsert(store(), {later}).ok());
  EXPECT_THAT(SearchIds(store(), "capybara"), ElementsAre("after-failure"));
  auto stats = store().Stats({}, StatsBucket::kDay);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->total, 6 + 30 + 1);
}

TEST_P(StoreConformanceTest, EmptyBulkUpsertChangesNothing) {
  auto r = store().BulkUpsertPosts(Batches({}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted + r->updated + r->unchanged, 0);
  EXPECT_TRUE(All(store()).empty());
}

// Stats may be cached per data version (store/stats_cache.h): every kind of write must show in
// the next Stats call, with no other call in between, and a repeat with nothing written gives
// the same figures.
TEST_P(StoreConformanceTest, StatsFollowEveryKindOfWrite) {
  auto total = [&](const PostFilter& f = {}) {
    auto s = store().Stats(f, StatsBucket::kDay);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : PostStats{};
  };
  ASSERT_TRUE(Upsert(store(), {MakePost("reddit", "1"), MakePost("reddit", "2")}).ok());
  PostStats s = total();
  EXPECT_EQ(s.total, 2);
  EXPECT_EQ(total().total, 2) << "a repeat, nothing written";
  PostFilter negative;
  negative.sentiments = {"negative"};
  EXPECT_EQ(total(negative).total, 0);

  // An insert.
  ASSERT_TRUE(Upsert(store(), {MakePost("hackernews", "3")}).ok());
  EXPECT_EQ(total().total, 3);

  // An update of a stored post that moves it between breakdowns.
  Post changed = MakePost("reddit", "1");
  changed.sentiment_label = "negative";
  changed.is_complaint = true;
  changed.collected_at += 10;
  ASSERT_TRUE(Upsert(store(), {changed}).ok());
  EXPECT_EQ(total(negative).total, 1);
  s = total();
  EXPECT_EQ(s.total, 3);
  EXPECT_EQ(s.complaints, 1);
  EXPECT_EQ(s.negative, 1);

  // Triage: answered, then false positive (which leaves the default figures).
  const std::int64_t id = Find(store(), "reddit", "1").id;
  TriagePatch answer;
  answer.answered = true;
  answer.now = kT0 + 100;
  ASSERT_TRUE(store().UpdateTriage(id, answer).ok());
  s = total();
  EXPECT_EQ(s.answered, 1);
  EXPECT_EQ(s.unanswered_complaints, 0);
  TriagePatch fp;
  fp.false_positive = true;
  ASSERT_TRUE(store().UpdateTriage(id, fp).ok());
  EXPECT_EQ(total().total, 2);
  EXPECT_EQ(total(negative).total, 0);

  // A bulk load.
  ASSERT_TRUE(store().BulkUpsertPosts(Batches({{MakePost("trustpilot", "4")}})).ok());
  EXPECT_EQ(total().total, 3);
}

}  // namespace
}  // namespace ct
