#include "analysis/french_sentiment.h"

#include <gtest/gtest.h>

#include "analysis/embedded_data.h"

namespace ct {
namespace {

class FrenchSentimentTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto stemmer = Stemmer::Create("french");
    ASSERT_TRUE(stemmer.ok());
    stemmer_ = new Stemmer(std::move(stemmer).value());
    auto lexicon = FrenchLexicon::Build(EmbeddedFile("pattern_fr.json"),
                                        EmbeddedFile("fr_overlay.tsv"), *stemmer_);
    ASSERT_TRUE(lexicon.ok()) << lexicon.status().ToString();
    lexicon_ = new FrenchLexicon(std::move(lexicon).value());
    cached_ = new CachedStemmer(std::move(*stemmer_));
  }
  static double Score(std::string_view text) {
    return FrenchSentimentScorer(lexicon_, cached_).Score(text).compound;
  }
  static Stemmer* stemmer_;
  static FrenchLexicon* lexicon_;
  static CachedStemmer* cached_;
};
CachedStemmer* FrenchSentimentTest::cached_ = nullptr;
Stemmer* FrenchSentimentTest::stemmer_ = nullptr;
FrenchLexicon* FrenchSentimentTest::lexicon_ = nullptr;

TEST_F(FrenchSentimentTest, Polarity) {
  EXPECT_GT(Score("Service excellent, je suis ravi."), 0.5);
  EXPECT_LT(Score("Support nul, une vraie arnaque."), -0.5);
  EXPECT_EQ(Score("Le serveur est situé à Roubaix."), 0);
}

TEST_F(FrenchSentimentTest, Negation) {
  EXPECT_LT(Score("Ce n'est pas bon."), 0);
  EXPECT_LT(Score("Je ne recommande pas."), 0);
  EXPECT_LT(Score("Je recommande pas."), 0);
  EXPECT_GT(Score("Ce n'est plus mauvais."), 0);
  EXPECT_GT(Score("Jamais déçu."), 0);
}

TEST_F(FrenchSentimentTest, IdiomsReplaceTheirWords) {
  EXPECT_LT(Score("Le support est pas terrible."), 0);
  EXPECT_GT(Score("Migration sans problème."), 0);
}

TEST_F(FrenchSentimentTest, BoostersCapsAndPunctuation) {
  EXPECT_LT(Score("Support très nul"), Score("Support nul"));
  EXPECT_LT(Score("Support NUL, vraiment"), Score("Support nul, vraiment"));
  EXPECT_LT(Score("Support nul!!!"), Score("Support nul"));
}

TEST_F(FrenchSentimentTest, MaisWeighsTheSecondClause) {
  EXPECT_LT(Score("Le prix est bon mais le support est nul"), 0);
  EXPECT_GT(Score("Le support est nul mais le prix est excellent"), 0);
}

TEST_F(FrenchSentimentTest, OverlayCorrectsThePatternLexicon) {
  EXPECT_LT(Score("C'est inadmissible."), 0);  // Pattern says +0.3
}

}  // namespace
}  // namespace ct
