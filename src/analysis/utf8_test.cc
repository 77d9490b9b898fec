#include "analysis/utf8.h"

#include <gtest/gtest.h>

#include "analysis/tokenizer.h"

namespace ct {
namespace {

TEST(Utf8Test, LowerAndFold) {
  EXPECT_EQ(text::ToLower("ÉCHEC Total"), "échec total");
  EXPECT_EQ(text::FoldAccents("Problème Œuvre"), "probleme oeuvre");
}

TEST(Utf8Test, Utf16LengthCountsSurrogatePairs) {
  EXPECT_EQ(text::Utf16Length("é"), 1u);
  EXPECT_EQ(text::Utf16Length("😀"), 2u);
}

TEST(Utf8Test, SanitizeReplacesInvalidBytes) {
  EXPECT_EQ(text::SanitizeUtf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
}

TEST(TokenizerTest, WholeWordsOnly) {
  std::vector<std::string> words;
  for (const auto& t : Tokenize("Le serveur (l'hébergement) coûte 5 EUR/mois")) words.push_back(t.lower);
  EXPECT_EQ(words, (std::vector<std::string>{"le", "serveur", "l", "hébergement", "coûte", "5",
                                              "eur", "mois"}));
}

}  // namespace
}  // namespace ct
