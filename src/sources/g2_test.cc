// The g2 adapter on its fixtures (tests/fixtures/sources/g2/): the rendered review page (what the
// browser fetcher reads), the JavaScript shell a plain HTTP fetch gets, and a redesigned page.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fetch/browser_fetcher.h"
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

std::string HeaderOf(const HttpRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

class G2Test : public ::testing::Test {
 protected:
  G2Test() {
    spec_.name = "g2";
    spec_.kind = "g2";
  }

  Result<ParsedPage> Parse(const std::string& body) {
    auto first = adapter_->FirstRequests(spec_, "ovhcloud", std::nullopt);
    EXPECT_TRUE(first.ok());
    ParseContext ctx;
    ctx.spec = &spec_;
    ctx.query = "ovhcloud";
    ctx.request = first.ok() ? first->front() : HttpRequest{};
    ctx.collected_at = 1'790'000'000;
    return adapter_->Parse(ctx, body);
  }

  SourceRegistry registry_ = SourceRegistry::Builtin();
  const SourceAdapter* adapter_ = registry_.Find("g2");
  SourceSpec spec_;
};

TEST_F(G2Test, RequestsGoThroughTheBrowserAndWaitForReviews) {
  ASSERT_NE(adapter_, nullptr);
  auto first = adapter_->FirstRequests(spec_, "ovhcloud", std::nullopt);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().url, "https://www.g2.com/products/ovhcloud/reviews");
  EXPECT_EQ(HeaderOf(first->front(), kFetchViaHeader), "browser");
  EXPECT_EQ(HeaderOf(first->front(), kWaitForHeader), "[itemprop='review']");
  spec_.base_url = "http://127.0.0.1:9/g2";
  EXPECT_EQ(adapter_->FirstRequests(spec_, "ovhcloud", std::nullopt)->front().url,
            "http://127.0.0.1:9/g2/products/ovhcloud/reviews");
  auto bad = adapter_->FirstRequests(spec_, "OVH cloud/../x", std::nullopt);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("product slugs"), std::string::npos);
}

TEST_F(G2Test, RenderedPageGivesEveryReviewWithItsRating) {
  auto r = Parse(Fixture("g2/reviews.html"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->posts.size(), 4u);
  EXPECT_FALSE(r->next.has_value());

  const Post& en = r->posts[0];
  EXPECT_EQ(en.source, "g2");
  EXPECT_EQ(en.external_id, "9012345");
  EXPECT_EQ(en.title, "Cheap bare metal, but support tickets wait for days");
  EXPECT_EQ(en.author, "Julien M.");
  ASSERT_TRUE(en.rating.has_value());
  EXPECT_DOUBLE_EQ(*en.rating, 2.0);
  EXPECT_EQ(en.created_at, 1'791'936'000);  // 2026-10-14T00:00:00Z
  EXPECT_EQ(en.url, "https://www.g2.com/products/ovhcloud/reviews/ovhcloud-review-9012345");
  EXPECT_NE(en.content.find("What do you dislike about OVHcloud?"), std::string::npos) << en.content;
  EXPECT_NE(en.content.find("ticket sat unanswered for three days"), std::string::npos);
  EXPECT_NE(en.content.find("hard to beat & the anti-DDoS"), std::string::npos);  // entity decoded
  const json meta = json::parse(en.metadata_json);
  EXPECT_EQ(meta["product"], "ovhcloud");
  EXPECT_EQ(meta["best_rating"], "5");
  EXPECT_EQ(meta["reviewer"], json({"DevOps Engineer", "Small-Business (50 or fewer emp.)"}));
  EXPECT_FALSE(meta.contains("language"));

  const Post& fr = r->posts[1];
  EXPECT_EQ(fr.external_id, "9011877");
  EXPECT_EQ(fr.title, "Panne de stockage et facturation incompréhensible");
  EXPECT_DOUBLE_EQ(*fr.rating, 1.5);
  EXPECT_NE(fr.content.find("Qu'est-ce que vous n'aimez pas"), std::string::npos) << fr.content;
  EXPECT_NE(fr.content.find("indisponible pendant six heures"), std::string::npos);
  EXPECT_EQ(json::parse(fr.metadata_json)["language"], "fr");

  EXPECT_EQ(r->posts[2].author, "Verified User in Information Technology and Services");
  EXPECT_DOUBLE_EQ(*r->posts[2].rating, 4.5);
  EXPECT_EQ(r->posts[3].title, "Bon VPS, mais la migration d'offre a coupé mon site");
}

TEST_F(G2Test, NextPageLinkIsFollowedThroughTheBrowser) {
  std::string page = Fixture("g2/reviews.html");
  page.replace(page.find("</head>"), 7, "<link rel=\"next\" href=\"/products/ovhcloud/reviews?page=2\"></head>");
  auto r = Parse(page);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->next.has_value());
  EXPECT_EQ(r->next->url, "https://www.g2.com/products/ovhcloud/reviews?page=2");
  EXPECT_EQ(HeaderOf(*r->next, kFetchViaHeader), "browser");
}

TEST_F(G2Test, TheJavaScriptShellIsDriftNamingTheBrowser) {
  // What a plain HTTP fetch gets: the reviews are not in the HTML.
  auto r = Parse(Fixture("g2/js_page.html"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_FALSE(r.status().transient());
  EXPECT_NE(r.status().message().find("parse drift in g2 (g2): no review elements"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("through the browser"), std::string::npos);
}

TEST_F(G2Test, RedesignedPageIsDrift) {
  auto r = Parse(Fixture("g2/drift.html"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("itemprop=review"), std::string::npos) << r.status().message();
}

TEST_F(G2Test, AReviewMissingARequiredFieldIsDriftNamingIt) {
  std::string page = Fixture("g2/reviews.html");
  const std::string rating = "<meta itemprop=\"ratingValue\" content=\"4.5\">";
  page.erase(page.find(rating), rating.size());
  auto r = Parse(page);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("review 9010402: no itemprop=reviewRating/ratingValue"),
            std::string::npos)
      << r.status().message();

  page = Fixture("g2/reviews.html");
  const std::string date = "<meta itemprop=\"datePublished\" content=\"2026-09-30\"><time datetime=\"2026-09-30\">09/30/2026</time>";
  page.erase(page.find(date), date.size());
  r = Parse(page);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("review 9010402: no itemprop=datePublished"), std::string::npos)
      << r.status().message();
}

TEST_F(G2Test, AProductWithNoReviewsIsAnEmptyPage) {
  auto r = Parse(
      "<html><body><div itemscope itemtype='http://schema.org/Product'><h1 itemprop='name'>New</h1>"
      "<div itemprop='aggregateRating'><meta itemprop='reviewCount' content='0'></div></div>"
      "</body></html>");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->posts.empty());
}

}  // namespace
}  // namespace ct
