#include "sources/html_text.h"

#include <gtest/gtest.h>

namespace ct {
namespace {

TEST(HtmlTextTest, ReducesHtmlAndDecodesEntities) {
  EXPECT_EQ(HtmlToText("<p>Support took <i>four days</i> &amp; &quot;nothing&quot;</p>"),
            "Support took four days & \"nothing\"");
  EXPECT_EQ(HtmlToText("L&#39;espace client &eacute;tait en panne&nbsp;!"),
            "L'espace client était en panne !");
  EXPECT_EQ(HtmlToText("<p>one</p><p>two<br>three</p>"), "one\ntwo\nthree");
  EXPECT_EQ(HtmlToText("a<script>alert(1)</script><style>p{}</style> b"), "a b");
  EXPECT_EQ(HtmlToText("plain   text\n\n\nhere "), "plain text\nhere");
  EXPECT_EQ(HtmlToText("<div><unclosed>broken <b>markup"), "broken markup");
  EXPECT_EQ(HtmlToText(""), "");
}

}  // namespace
}  // namespace ct
