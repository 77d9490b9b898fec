#include "analysis/analyzer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace ct {
namespace {

class AnalyzerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto tax = Taxonomy::Embedded();
    ASSERT_TRUE(tax.ok());
    auto a = Analyzer::Create(AnalyzerOptions{}, std::move(tax).value());
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    analyzer_ = std::move(a).value().release();
  }
  static Analysis Run(const std::string& content, std::optional<double> rating = std::nullopt,
                      const std::string& metadata = "{}") {
    Post p;
    p.content = content;
    p.rating = rating;
    p.metadata_json = metadata;
    return analyzer_->Analyze(p);
  }
  static nlohmann::json Evidence(const Analysis& a) { return nlohmann::json::parse(a.evidence_json); }
  static Analyzer* analyzer_;
};
Analyzer* AnalyzerTest::analyzer_ = nullptr;

TEST_F(AnalyzerTest, EnglishComplaint) {
  const Analysis a = Run("OVH support never answered my ticket, my VPS has been down for two days. Avoid!");
  EXPECT_EQ(a.language, "en");
  EXPECT_TRUE(a.is_complaint);
  EXPECT_EQ(a.product, "vps");
  EXPECT_TRUE(a.relevant);
  const auto ev = Evidence(a);
  EXPECT_EQ(ev["language"]["method"], "cld2");
  std::set<std::string> ids;
  for (const auto& s : ev["complaint"]["signals"]) ids.insert(s["id"].get<std::string>());
  EXPECT_TRUE(ids.contains("outage"));
  EXPECT_TRUE(ids.contains("warning"));
}

TEST_F(AnalyzerTest, FrenchComplaint) {
  const Analysis a = Run("Mon hébergement OVH est en panne depuis hier et le support ne répond pas. "
                         "Je demande le remboursement, c'est une arnaque.");
  EXPECT_EQ(a.language, "fr");
  EXPECT_TRUE(a.is_complaint);
  EXPECT_EQ(a.product, "web_hosting");
  EXPECT_EQ(a.country, "FR");  // from the language
  EXPECT_LT(a.sentiment_score, 0);
}

TEST_F(AnalyzerTest, PraiseIsNotAComplaint) {
  const Analysis a = Run("Great experience with OVHcloud, my dedicated server is fast and the price is excellent.");
  EXPECT_FALSE(a.is_complaint);
  EXPECT_EQ(a.sentiment_label, "positive");
  EXPECT_EQ(a.product, "bare_metal");
}

TEST_F(AnalyzerTest, NoSubstringAccidents) {
  // "eur" inside "serveur", "ovh" inside another word.
  const Analysis a = Run("Le serveur de novhost fonctionne très bien depuis des mois, rien à signaler.");
  EXPECT_NE(a.product, "billing");
  const auto ev = Evidence(a);
  EXPECT_TRUE(ev["relevance"]["brand"].empty());
  EXPECT_LT(a.relevance_score, 0.3);
}

TEST_F(AnalyzerTest, LowRatingIsAStrongSignalAndNeverOverwritten) {
  Post p;
  p.content = "Thanks for the quick delivery, great price.";
  p.rating = 1;
  const Analysis a = analyzer_->Analyze(p);
  Analyzer::Apply(a, &p);
  EXPECT_EQ(p.rating, 1);
  EXPECT_TRUE(a.is_complaint);
  EXPECT_EQ(a.sentiment_label, "positive");  // the text's own sentiment, reported as is
}

TEST_F(AnalyzerTest, HighRatingDampensTheScore) {
  EXPECT_FALSE(Run("Had a small problem with an invoice, support fixed it. OVH is fine.", 5).is_complaint);
}

TEST_F(AnalyzerTest, ComparisonListIsDiscounted) {
  const Analysis listed = Run("Which is cheaper for a small app: AWS, Hetzner, OVH or Scaleway?");
  const Analysis direct = Run("Which OVH plan is cheaper for a small app?");
  EXPECT_LT(listed.relevance_score, direct.relevance_score);
  EXPECT_TRUE(Evidence(listed)["relevance"].contains("comparison_list"));
  EXPECT_FALSE(listed.relevant);
}

TEST_F(AnalyzerTest, BrandFalsePositiveAfter) {
  const Analysis a = Run("How do I open an OVH file exported from my old volume renderer?");
  EXPECT_FALSE(a.relevant);
}

TEST_F(AnalyzerTest, DomainsCountAsWholeHosts) {
  EXPECT_TRUE(Run("See https://help.ovhcloud.com/csm for the status of the incident").relevant);
  EXPECT_FALSE(Evidence(Run("mail me at bob@notovh.com please about this thing here"))["relevance"]["domains"].size());
}

TEST_F(AnalyzerTest, CountryFromMetadataThenPlacesThenLanguage) {
  EXPECT_EQ(Run("OVH support is slow.", std::nullopt, R"({"reviewer_country":"be"})").country, "BE");
  EXPECT_EQ(Run("I am a customer in Montreal and my OVH VPS is down again.").country, "CA");
  EXPECT_EQ(Run("My OVH VPS is down again and nobody answers the phone.").country, "");
  // "nice" is an adjective here, not the city.
  EXPECT_EQ(Run("Nice VPS from OVH, good price and nice support team.").country, "");
}

TEST_F(AnalyzerTest, MetadataCompanyMakesRelevant) {
  const Analysis a = Run("Terrible service, two weeks without an answer.", 1, R"({"company":"OVHcloud"})");
  EXPECT_TRUE(a.relevant);
  EXPECT_TRUE(a.is_complaint);
}

TEST_F(AnalyzerTest, EvidenceIsValidJsonEvenForInvalidUtf8) {
  const Analysis a = Run("OVH VPS en panne \xff\xfe arnaque\xc3 remboursement, support nul");
  const auto ev = nlohmann::json::parse(a.evidence_json);  // throws on invalid UTF-8
  EXPECT_TRUE(ev.contains("complaint"));
}

TEST_F(AnalyzerTest, ShortTextIsUnd) {
  const Analysis a = Run("ovh :(");
  EXPECT_EQ(a.language, "und");
  EXPECT_EQ(Evidence(a)["language"]["reason"], "too_short");
}

// Dampers and repeats: the ids each rule leaves in the evidence.
std::set<std::string> DamperIds(const nlohmann::json& ev) {
  std::set<std::string> ids;
  if (ev["complaint"].contains("dampers")) {
    for (const auto& d : ev["complaint"]["dampers"]) ids.insert(d["id"].get<std::string>());
  }
  return ids;
}

TEST_F(AnalyzerTest, ComplaintAboutAnotherProviderShoppingForOvhIsDamped) {
  const Analysis a = Run("Hetzner deleted my account without warning. Terrible company. Looking at OVH.");
  EXPECT_FALSE(a.is_complaint) << a.evidence_json;
  EXPECT_TRUE(DamperIds(Evidence(a)).contains("other_provider"));
  // The same words about OVH itself stay a complaint.
  const Analysis b = Run("OVH deleted my account without warning. Terrible company.");
  EXPECT_TRUE(b.is_complaint) << b.evidence_json;
  EXPECT_FALSE(DamperIds(Evidence(b)).contains("other_provider"));
  const Analysis fr = Run("Scaleway a supprimé mon compte sans prévenir. Entreprise minable. Je regarde OVH.");
  EXPECT_FALSE(fr.is_complaint) << fr.evidence_json;
}

TEST_F(AnalyzerTest, SeveralSymptomsOfOneSignalAddUp) {
  const Analysis one = Run("OVH shared hosting shows blank pages to my customers.");
  const Analysis three =
      Run("OVH shared hosting keeps killing my PHP processes at random, customers see blank pages.");
  EXPECT_GT(three.complaint_score, one.complaint_score);
  EXPECT_TRUE(three.is_complaint) << three.evidence_json;
  bool repeats = false;
  const nlohmann::json ev = Evidence(three);
  for (const auto& s : ev["complaint"]["signals"]) repeats = repeats || s.contains("repeats");
  EXPECT_TRUE(repeats) << three.evidence_json;
}

TEST_F(AnalyzerTest, ProblemResolvedAfterAContrastIsNotAComplaint) {
  const Analysis a = Run(
      "Had an outage last night but OVH support kept us updated every hour and credited us. "
      "Well handled.");
  EXPECT_FALSE(a.is_complaint) << a.evidence_json;
  EXPECT_TRUE(DamperIds(Evidence(a)).contains("positive_after_contrast"));
  const Analysis b = Run("OVH support kept us updated, but the outage lasted all night. Awful.");
  EXPECT_TRUE(b.is_complaint) << b.evidence_json;
}

TEST_F(AnalyzerTest, SayingItIsNotAComplaintDampsTheScore) {
  const Analysis a = Run("OVH just sent me a bill for 0.01 euro. Not complaining, just found it funny.");
  EXPECT_FALSE(a.is_complaint) << a.evidence_json;
  EXPECT_TRUE(DamperIds(Evidence(a)).contains("disclaimer"));
  // A low rating still wins: the rating is the author's verdict.
  EXPECT_TRUE(Run("Not complaining, but the server was down all week.", 1.0).is_complaint);
}

TEST_F(AnalyzerTest, ElapsedTimeInANarrativeIsADurationSignal) {
  const Analysis a = Run("OVH support finally answered after 9 days with a copy of my own question.");
  bool elapsed = false;
  const nlohmann::json ev = Evidence(a);
  for (const auto& s : ev["complaint"]["signals"]) {
    for (const auto& t : s.value("terms", nlohmann::json::array())) elapsed = elapsed || t == "after 9 days";
  }
  EXPECT_TRUE(elapsed) << a.evidence_json;
  // Speed ("in two hours") is not a duration signal.
  const nlohmann::json fast = Evidence(Run("Ordered an OVH server, it was ready in two hours."));
  for (const auto& s : fast["complaint"]["signals"]) EXPECT_NE(s["id"], "duration") << fast.dump();
}

}  // namespace
}  // namespace ct
