#include "analysis/vader.h"

#include <gtest/gtest.h>

#include "analysis/embedded_data.h"

namespace ct {
namespace {

class VaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto lexicon = SentimentLexicon::ParseVader(EmbeddedFile("vader_lexicon.txt"));
    ASSERT_TRUE(lexicon.ok()) << lexicon.status().ToString();
    lexicon_ = new SentimentLexicon(std::move(lexicon).value());
  }
  static double Compound(std::string_view text) { return VaderScorer(lexicon_).Score(text).compound; }
  static SentimentLexicon* lexicon_;
};
SentimentLexicon* VaderTest::lexicon_ = nullptr;

TEST_F(VaderTest, LexiconIsTheWholePackage) { EXPECT_EQ(lexicon_->size(), 7503u); }

// Reference values from vader-sentiment 1.1.3 (its README examples; the full comparison is
// the vader_agreement test).
TEST_F(VaderTest, MatchesReferenceExamples) {
  EXPECT_NEAR(Compound("VADER is smart, handsome, and funny."), 0.8316, 5e-5);
  EXPECT_NEAR(Compound("VADER is smart, handsome, and funny!"), 0.8439, 5e-5);
  EXPECT_NEAR(Compound("VADER is very smart, handsome, and funny."), 0.8545, 5e-5);
  EXPECT_NEAR(Compound("VADER is VERY SMART, handsome, and FUNNY."), 0.9227, 5e-5);
  EXPECT_NEAR(Compound("VADER is VERY SMART, handsome, and FUNNY!!!"), 0.9342, 5e-5);
  EXPECT_NEAR(Compound("VADER is not smart, handsome, nor funny."), -0.7424, 5e-5);
  EXPECT_NEAR(Compound("The book was good."), 0.4404, 5e-5);
  EXPECT_NEAR(Compound("The book was kind of good."), 0.3832, 5e-5);
  EXPECT_NEAR(Compound("The plot was good, but the characters are uncompelling and the dialog is not great."),
              -0.7042, 5e-5);
  EXPECT_NEAR(Compound("A really bad, horrible book."), -0.8211, 5e-5);
  EXPECT_NEAR(Compound("At least it isn't a horrible book."), 0.431, 5e-5);
  EXPECT_NEAR(Compound(":) and :D"), 0.7925, 5e-5);
  EXPECT_EQ(Compound(""), 0);
}

TEST_F(VaderTest, ReportsTermsWhenAsked) {
  const VaderScores s = VaderScorer(lexicon_).Score("The support is terrible but the price is good", true);
  ASSERT_EQ(s.terms.size(), 3u);  // support (+), terrible (-), good (+)
  EXPECT_TRUE(s.contrast);
  EXPECT_EQ(s.terms[1].term, "terrible");
  EXPECT_LT(s.terms[1].valence, 0);
}

}  // namespace
}  // namespace ct
