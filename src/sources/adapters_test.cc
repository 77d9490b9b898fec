// Every adapter on its fixtures (tests/fixtures/sources/<kind>/), in each source's documented
// format, plus a drift case each.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/time_format.h"
#include "sources/source_registry.h"

namespace ct {
namespace {

using nlohmann::json;

std::string Fixture(const std::string& rel) {
  std::ifstream in(std::string(CT_SOURCE_DIR) + "/tests/fixtures/sources/" + rel, std::ios::binary);
  EXPECT_TRUE(in) << rel;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class AdaptersTest : public ::testing::Test {
 protected:
  Result<ParsedPage> Parse(const std::string& kind, const std::string& fixture,
                           std::string query = "ovhcloud", HttpHeaders headers = {}) {
    const SourceAdapter* a = registry_.Find(kind);
    EXPECT_NE(a, nullptr) << kind;
    if (spec_.name.empty()) spec_.name = kind;
    spec_.kind = kind;
    auto first = a->FirstRequests(spec_, query, std::nullopt);
    EXPECT_TRUE(first.ok()) << first.status().ToString();
    ParseContext ctx;
    ctx.spec = &spec_;
    ctx.query = query;
    ctx.request = first.ok() ? first->front() : HttpRequest{};
    ctx.headers = std::move(headers);
    ctx.collected_at = 1'747'300'000;
    return a->Parse(ctx, Fixture(fixture));
  }

  static void ExpectDrift(const Result<ParsedPage>& r, const std::string& source,
                          const std::string& what) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status().ToString();
    EXPECT_FALSE(r.status().transient());
    EXPECT_NE(r.status().message().find("parse drift in " + source), std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().message();
  }

  SourceRegistry registry_ = SourceRegistry::Builtin();
  SourceSpec spec_;
};

TEST_F(AdaptersTest, RegistryKnowsEveryKind) {
  EXPECT_EQ(registry_.Kinds(),
            (std::vector<std::string>{"discourse", "g2", "github", "google_news", "hackernews",
                                      "html", "mastodon", "nitter", "reddit", "rss",
                                      "stackexchange", "trustpilot"}));
  EXPECT_EQ(registry_.Find("myspace"), nullptr);
}

TEST_F(AdaptersTest, HackerNews) {
  spec_.page_size = 3;
  auto r = Parse("hackernews", "hackernews/search_by_date.json", "ovh");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 3u);
  const Post& c = r->posts[0];
  EXPECT_EQ(c.source, "hackernews");
  EXPECT_EQ(c.external_id, "41234901");
  EXPECT_EQ(c.title, "Re: Ask HN: Cheapest reliable dedicated servers in Europe?");
  EXPECT_EQ(c.content.substr(0, 46), "We moved our staging boxes to OVHcloud last ye");
  EXPECT_NE(c.content.find("took four days to answer"), std::string::npos);
  EXPECT_NE(c.content.find("\"We are escalating\" & nothing else."), std::string::npos);
  EXPECT_EQ(c.url, "https://news.ycombinator.com/item?id=41234901");
  EXPECT_EQ(FormatIso8601(c.created_at), "2025-05-14T09:12:44Z");
  EXPECT_EQ(c.collected_at, 1'747'300'000);
  const Post& s = r->posts[1];
  EXPECT_EQ(s.engagement.score, 212);
  EXPECT_EQ(s.engagement.comments, 87);
  EXPECT_EQ(json::parse(s.metadata_json)["link"], "https://blog.example.org/ovh-sbg-retrospective");
  EXPECT_EQ(r->posts[2].content,
            "Has anyone else had their OVH VPS rebooted without notice this week?\nMy monitoring "
            "shows 3 reboots since Monday.");
  ASSERT_TRUE(r->next.has_value());
  EXPECT_NE(r->next->url.find("hitsPerPage=3&page=1"), std::string::npos) << r->next->url;
  EXPECT_EQ(r->next->url.find("page=0"), std::string::npos);

  auto last = Parse("hackernews", "hackernews/page2.json", "ovh");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->posts.size(), 2u);
  EXPECT_FALSE(last->next.has_value());
  ExpectDrift(Parse("hackernews", "hackernews/drift.json"), "hackernews", "missing array 'response.hits'");
}

TEST_F(AdaptersTest, HackerNewsFiltersByCursor) {
  spec_.name = "hackernews";
  spec_.kind = "hackernews";
  auto first = registry_.Find("hackernews")->FirstRequests(spec_, "ovh cloud", 1'747'000'000);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->front().url,
            "https://hn.algolia.com/api/v1/search_by_date?query=ovh%20cloud&tags=%28story%2Ccomment%29"
            "&hitsPerPage=50&numericFilters=created_at_i%3E1747000000&page=0");
}

TEST_F(AdaptersTest, StackExchange) {
  auto r = Parse("stackexchange", "stackexchange/search_advanced.json", "ovh");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 2u);
  const Post& q = r->posts[0];
  EXPECT_EQ(q.external_id, "79612345");
  EXPECT_EQ(q.author, "François M.");
  EXPECT_EQ(q.title, "OVH DNS zone not propagating after 24 hours");
  EXPECT_NE(q.content.find("still returns the old IP & the zone shows \"pending\"."), std::string::npos)
      << q.content;
  EXPECT_EQ(q.created_at, 1747199000);
  EXPECT_EQ(json::parse(q.metadata_json)["site"], "stackoverflow");
  EXPECT_EQ(r->posts[1].engagement.comments, 2);
  EXPECT_EQ(r->backoff_s, 10);
  EXPECT_FALSE(r->next.has_value());
  ExpectDrift(Parse("stackexchange", "stackexchange/drift.json"), "stackexchange", "response.items");
  auto throttled = Parse("stackexchange", "stackexchange/throttle.json");
  EXPECT_EQ(throttled.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(throttled.status().message().find("throttle_violation"), std::string::npos);
}

TEST_F(AdaptersTest, RedditJsonAndRssFallback) {
  auto r = Parse("reddit", "reddit/search.json", "ovh");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 2u);
  const Post& p = r->posts[0];
  EXPECT_EQ(p.external_id, "t3_1kqa001");
  EXPECT_EQ(p.url, "https://www.reddit.com/r/selfhosted/comments/1kqa001/ovh_rbx_down_again/");
  EXPECT_EQ(p.content,
            "My OVH dedicated server has been unreachable for 6 hours. Status page says everything "
            "is green.\nTicket CS-1234567 still unanswered. Anyone else in RBX?");
  EXPECT_EQ(p.created_at, 1747210000);
  EXPECT_EQ(p.engagement.comments, 31);
  EXPECT_EQ(json::parse(r->posts[1].metadata_json)["subreddit"], "france");
  ASSERT_TRUE(r->next.has_value());
  EXPECT_NE(r->next->url.find("&after=t3_1kq9zz1"), std::string::npos);

  spec_.options["format"] = "rss";
  auto rss = Parse("reddit", "reddit/search.rss", "ovh");
  ASSERT_TRUE(rss.ok()) << rss.status().ToString();
  ASSERT_EQ(rss->posts.size(), 1u);
  EXPECT_EQ(rss->posts[0].external_id, "t3_1kqa001");  // same id as the JSON listing
  EXPECT_EQ(rss->posts[0].author, "/u/rbx_sufferer");
  EXPECT_EQ(rss->posts[0].content, "My OVH dedicated server has been unreachable for 6 hours.");
  spec_.options.clear();
  ExpectDrift(Parse("reddit", "reddit/drift.json"), "reddit", "data.children");
}

TEST_F(AdaptersTest, GitHub) {
  spec_.token = "ghp_test";
  auto r = Parse("github", "github/search_issues.json", "ovh in:title",
                 {{"link", "<https://api.github.com/search/issues?q=ovh&page=2>; rel=\"next\", "
                           "<https://api.github.com/search/issues?q=ovh&page=34>; rel=\"last\""}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 2u);
  const Post& i = r->posts[0];
  EXPECT_EQ(i.external_id, "2301234567");
  EXPECT_EQ(i.author, "infra-marie");
  EXPECT_EQ(FormatIso8601(i.created_at), "2025-05-13T14:22:05Z");
  EXPECT_EQ(i.engagement.likes, 5);
  json meta = json::parse(i.metadata_json);
  EXPECT_EQ(meta["repository"], "ovh/terraform-provider-ovh");
  EXPECT_EQ(meta["labels"], json::array({"bug", "kubernetes"}));
  EXPECT_EQ(r->posts[1].content, "");
  EXPECT_TRUE(json::parse(r->posts[1].metadata_json)["pull_request"].get<bool>());
  ASSERT_TRUE(r->next.has_value());
  EXPECT_EQ(r->next->url, "https://api.github.com/search/issues?q=ovh&page=2");
  bool auth = false;
  for (const auto& [n, v] : r->next->headers) auth |= n == "Authorization" && v == "Bearer ghp_test";
  EXPECT_TRUE(auth);
  ExpectDrift(Parse("github", "github/drift.json"), "github", "response.items");
}

TEST_F(AdaptersTest, DiscourseSearchAndLatestShareTopicIds) {
  spec_.name = "ovh_community";
  spec_.base_url = "https://community.ovhcloud.com/";
  auto search = Parse("discourse", "discourse/search.json", "vps");
  ASSERT_TRUE(search.ok()) << search.status().ToString();
  ASSERT_EQ(search->posts.size(), 3u);
  const Post& first = search->posts[0];
  EXPECT_EQ(first.source, "ovh_community");
  EXPECT_EQ(first.external_id, "topic:24011");
  EXPECT_EQ(first.url, "https://community.ovhcloud.com/t/vps-ne-demarre-plus-apres-migration/24011");
  EXPECT_EQ(first.title, "VPS ne démarre plus après migration");
  EXPECT_NE(first.content.find("l'espace client affiche « erreur interne »"), std::string::npos)
      << first.content;
  EXPECT_EQ(search->posts[1].external_id, "post:55020");
  EXPECT_EQ(search->posts[1].url,
            "https://community.ovhcloud.com/t/vps-ne-demarre-plus-apres-migration/24011/3");
  EXPECT_FALSE(search->next.has_value());

  auto latest = Parse("discourse", "discourse/latest.json", "latest");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->posts.size(), 2u);  // the pinned "About" topic is skipped
  EXPECT_EQ(latest->posts[0].external_id, first.external_id);
  EXPECT_EQ(latest->posts[0].url, first.url);
  EXPECT_EQ(latest->posts[0].author, "julien_r");
  EXPECT_EQ(latest->posts[0].title, "VPS ne démarre plus après migration");
  EXPECT_EQ(latest->posts[0].engagement.comments, 3);
  ASSERT_TRUE(latest->next.has_value());
  EXPECT_NE(latest->next->url.find("latest.json?order=created&page=1"), std::string::npos);
  ExpectDrift(Parse("discourse", "discourse/drift.json"), "ovh_community", "topic_list");
}

TEST_F(AdaptersTest, DiscourseNeedsBaseUrl) {
  spec_.name = "forum";
  EXPECT_EQ(registry_.Find("discourse")->FirstRequests(spec_, "vps", std::nullopt).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(AdaptersTest, MastodonOnSeveralInstances) {
  spec_.instances = {"https://mastodon.social", "https://piaille.fr/"};
  auto first = registry_.Find("mastodon")->FirstRequests(spec_, "#OVHcloud", std::nullopt);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[1].url, "https://piaille.fr/api/v1/timelines/tag/OVHcloud?limit=40");
  auto r = Parse("mastodon", "mastodon/tag_timeline.json", "OVHcloud",
                 {{"link", "<https://mastodon.social/api/v1/timelines/tag/OVHcloud?max_id=114499000000000002>; rel=\"next\""}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 2u);
  const Post& p = r->posts[0];
  EXPECT_EQ(p.external_id, "https://piaille.fr/users/camille/statuses/114500000000000001");
  EXPECT_EQ(p.content, "Troisième coupure cette semaine sur mon serveur #OVHcloud à Gravelines. C'est pénible.");
  EXPECT_EQ(p.author, "camille@piaille.fr");
  EXPECT_EQ(p.engagement.likes, 11);
  EXPECT_EQ(json::parse(p.metadata_json)["language"], "fr");
  EXPECT_EQ(r->posts[1].title, "Long thread");
  EXPECT_EQ(r->posts[1].content,
            "Migrated 40 VMs from #OVHcloud Public Cloud to bare metal.\nNetwork performance is "
            "excellent, support not so much.");
  ASSERT_TRUE(r->next.has_value());
  EXPECT_NE(r->next->url.find("max_id=114499000000000002"), std::string::npos);
  ExpectDrift(Parse("mastodon", "mastodon/drift.json", "ovhcloud"), "mastodon", "not a JSON array");
  EXPECT_FALSE(registry_.Find("mastodon")->FirstRequests(spec_, "two words", std::nullopt).ok());
}

TEST_F(AdaptersTest, RssAndAtom) {
  spec_.base_url = "https://blog.example.fr/feed.xml";
  auto r = Parse("rss", "rss/feed.xml", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 2u);
  const Post& a = r->posts[0];
  EXPECT_EQ(a.external_id, "blog-example-fr-8812");
  EXPECT_EQ(a.title, "OVHcloud : panne du réseau à Roubaix, les clients s'impatientent");
  EXPECT_EQ(a.content,
            "Une panne réseau a touché le datacenter de Roubaix ce matin : plusieurs clients "
            "signalent des serveurs injoignables.");
  EXPECT_EQ(a.author, "Sophie Martin");
  EXPECT_EQ(FormatIso8601(a.created_at), "2025-05-14T07:30:00Z");
  EXPECT_EQ(json::parse(a.metadata_json)["categories"], json::array({"Cloud"}));
  EXPECT_EQ(r->posts[1].external_id, "https://blog.example.fr/2025/05/left-ovh-ci");
  EXPECT_EQ(r->posts[1].content, "Provisioning a new dedicated server took nine days.");

  auto atom = Parse("rss", "rss/atom.xml", "");
  ASSERT_TRUE(atom.ok()) << atom.status().ToString();
  ASSERT_EQ(atom->posts.size(), 1u);
  const Post& e = atom->posts[0];
  EXPECT_EQ(e.url, "https://status.example.org/incidents/4521");
  EXPECT_EQ(e.title, "Incident: degraded performance on OVHcloud Object Storage & Public Cloud");
  EXPECT_EQ(e.content, "Customers using OVHcloud S3 in GRA see elevated latency.");
  EXPECT_EQ(e.author, "Status Bot");
  EXPECT_EQ(FormatIso8601(e.created_at), "2025-05-14T04:45:00Z");
  ExpectDrift(Parse("rss", "rss/malformed.xml", ""), "rss", "not well-formed XML");
  ExpectDrift(Parse("rss", "hackernews/page2.json", ""), "rss", "not well-formed XML");
}

TEST_F(AdaptersTest, GoogleNews) {
  auto first = registry_.Find("google_news")->FirstRequests(spec_, "ovhcloud panne", std::nullopt);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->front().url,
            "https://news.google.com/rss/search?q=ovhcloud%20panne&hl=en-US&gl=US&ceid=US:en");
  auto r = Parse("google_news", "google_news/search.rss");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 2u);
  EXPECT_EQ(r->posts[0].title, "OVHcloud shares fall after revenue guidance cut - Reuters");
  EXPECT_EQ(json::parse(r->posts[0].metadata_json)["publisher"], "Reuters");
  EXPECT_EQ(json::parse(r->posts[1].metadata_json)["publisher"], "Le Monde Informatique");
  EXPECT_EQ(r->posts[1].external_id, "CBMiWkFVX3lxTE1hbXBsZTI");
}

TEST_F(AdaptersTest, Nitter) {
  spec_.base_url = "https://nitter.example.org";
  auto r = Parse("nitter", "nitter/search.rss");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 1u);
  EXPECT_EQ(r->posts[0].external_id, "1922600000000000001");
  EXPECT_EQ(r->posts[0].author, "@lea_devops");
  EXPECT_EQ(r->posts[0].title, "");
  EXPECT_EQ(r->posts[0].content,
            "@OVHcloud_FR mon serveur est down depuis ce matin et toujours aucune réponse au ticket 😡");
}

TEST_F(AdaptersTest, TrustpilotNextData) {
  auto r = Parse("trustpilot", "trustpilot/review_page.html", "ovhcloud.com");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 3u);
  const Post& p = r->posts[0];
  EXPECT_EQ(p.external_id, "6824a1b2c3d4e5f601234567");
  EXPECT_EQ(p.url, "https://www.trustpilot.com/reviews/6824a1b2c3d4e5f601234567");
  EXPECT_EQ(p.title, "Terrible support & downtime");
  EXPECT_EQ(p.rating, 1.0);
  EXPECT_EQ(p.author, "Mark Evans");
  EXPECT_EQ(FormatIso8601(p.created_at), "2025-05-13T19:22:41Z");
  json meta = json::parse(p.metadata_json);
  EXPECT_EQ(meta["reviewer_country"], "GB");
  EXPECT_EQ(meta["company"], "OVHcloud");
  EXPECT_EQ(json::parse(r->posts[1].metadata_json)["reviewer_country"], "FR");
  EXPECT_EQ(r->posts[2].rating, 5.0);
  ASSERT_TRUE(r->next.has_value());
  EXPECT_EQ(r->next->url,
            "https://www.trustpilot.com/review/ovhcloud.com?languages=all&sort=recency&page=2");
}

TEST_F(AdaptersTest, TrustpilotJsonLdFallbackAndJsRenderedDrift) {
  auto r = Parse("trustpilot", "trustpilot/jsonld_only.html", "ovhcloud.com");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 1u);
  EXPECT_EQ(r->posts[0].external_id, "6821bbbbccccdddd11112222");
  EXPECT_EQ(r->posts[0].rating, 1.0);
  EXPECT_EQ(r->posts[0].author, "Pierre L.");
  EXPECT_EQ(r->posts[0].title, "Migration forcée sans préavis");
  ExpectDrift(Parse("trustpilot", "trustpilot/js_rendered.html", "ovhcloud.com"), "trustpilot",
              "rendered by JavaScript");
}

TEST_F(AdaptersTest, HtmlSelectors) {
  spec_.name = "hosting_forum";
  spec_.base_url = "https://forum.example.fr/forum/search?q={query}";
  spec_.options = {{"item", "//article[@class='thread']"},
                   {"title", ".//h2"},
                   {"url", ".//h2/a/@href"},
                   {"id", "string(@data-id)"},
                   {"author", ".//span[@class='author']"},
                   {"date", ".//time/@datetime"},
                   {"content", ".//div[@class='body']"},
                   {"next", "//a[@class='next']/@href"}};
  auto r = Parse("html", "html/forum_page.html", "ovh");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 2u);
  const Post& p = r->posts[0];
  EXPECT_EQ(p.external_id, "t-9001");
  EXPECT_EQ(p.url, "https://forum.example.fr/forum/t/9001-serveur-dedie-injoignable");
  EXPECT_EQ(p.title, "Serveur dédié injoignable depuis la maintenance");
  EXPECT_EQ(p.content, "Depuis la maintenance de cette nuit, mon serveur OVHcloud Advance-1 ne répond plus !");
  EXPECT_EQ(p.author, "marc_hebergeur");
  EXPECT_EQ(FormatIso8601(p.created_at), "2025-05-14T06:12:00Z");
  EXPECT_EQ(r->posts[1].title, "IP failover & vRack: configuration qui marche");
  ASSERT_TRUE(r->next.has_value());
  EXPECT_EQ(r->next->url, "https://forum.example.fr/forum/page/2");

  spec_.options["item"] = "//div[@class='post']";
  ExpectDrift(Parse("html", "html/forum_page.html", "ovh"), "hosting_forum", "matched nothing");
}

}  // namespace
}  // namespace ct
