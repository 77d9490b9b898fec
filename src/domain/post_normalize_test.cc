#include "domain/post_normalize.h"

#include <gtest/gtest.h>

#include "domain/post.h"

namespace ct {
namespace {

TEST(NormalizeUrlTest, CanonicalForms) {
  EXPECT_EQ(NormalizeUrl("HTTPS://WWW.Reddit.com:443/r/ovh/comments/abc/?utm_source=x&sort=new#c1"),
            "https://www.reddit.com/r/ovh/comments/abc?sort=new");
  EXPECT_EQ(NormalizeUrl(" http://example.com:80/ "), "http://example.com");
  EXPECT_EQ(NormalizeUrl("https://example.com/a?fbclid=1&gclid=2"), "https://example.com/a");
  EXPECT_EQ(NormalizeUrl("https://example.com:8443/a"), "https://example.com:8443/a");
  EXPECT_EQ(NormalizeUrl("mailto:x@y"), "mailto:x@y");
  EXPECT_EQ(NormalizeUrl(""), "");
}

TEST(NormalizeContentTest, CaseSpacesAndPunctuation) {
  EXPECT_EQ(NormalizeContent("  My VPS   is DOWN!!! "), "my vps is down");
  EXPECT_EQ(NormalizeContent("Serveur ÉTEINT, déjà."), "serveur éteint déjà");
  EXPECT_EQ(ContentHash("T", "My VPS is down"), ContentHash("t", "my   vps, is down."));
  EXPECT_NE(ContentHash("T", "My VPS is down"), ContentHash("T", "My VPS is up"));
  EXPECT_EQ(ContentHash("", "").size(), 64u);
}

TEST(NormalizePostTest, Idempotent) {
  Post p;
  p.url = "https://x.com/a/?utm_medium=y";
  p.content = "Hello";
  NormalizePost(p);
  Post q = p;
  NormalizePost(q);
  EXPECT_EQ(p, q);
  EXPECT_EQ(p.url, "https://x.com/a");
  EXPECT_FALSE(p.content_hash.empty());
}

}  // namespace
}  // namespace ct
