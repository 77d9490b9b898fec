#include "analysis/language_detector.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

TEST(LanguageDetectorTest, EnglishAndFrench) {
  LanguageDetector d;
  EXPECT_EQ(d.Detect("My dedicated server has been down for three days and support never answers.").code, "en");
  const LanguageGuess fr = d.Detect("Mon serveur dédié est en panne depuis trois jours et le support ne répond pas.");
  EXPECT_EQ(fr.code, "fr");
  EXPECT_GT(fr.confidence, 0.6);
  EXPECT_TRUE(fr.reliable);
}

TEST(LanguageDetectorTest, TooShortIsUnd) {
  const LanguageGuess g = LanguageDetector().Detect("ovh ok");
  EXPECT_EQ(g.code, "und");
  EXPECT_EQ(g.reason, "too_short");
}

TEST(LanguageDetectorTest, InvalidUtf8DoesNotCrash) {
  EXPECT_EQ(LanguageDetector().Detect("\xff\xfe\xfd").code, "und");
}

}  // namespace
}  // namespace ct
