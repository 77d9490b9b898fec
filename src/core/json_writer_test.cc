#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ct {
namespace {

TEST(JsonWriterTest, EscapesPerRfc8259) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\n\t\x01 é");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001 é\"");
}

TEST(JsonWriterTest, ReplacesInvalidUtf8) {
  std::string out;
  AppendJsonString(out, "ok\xff\xc3(end\xed\xa0\x80");
  EXPECT_EQ(out, "\"ok\xEF\xBF\xBD\xEF\xBF\xBD(end\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_FALSE(nlohmann::json::parse(out, nullptr, false).is_discarded());
}

TEST(JsonWriterTest, BuildsNestedDocumentsThatParse) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("a").Int(-5).Key("b").BeginArray().Double(0.5).Bool(true).Null().String("x");
  w.EndArray().Key("c").Raw("{\"k\":1}").Key("d").Double(1.0 / 0.0).Key("e").BeginObject();
  w.EndObject().EndObject();
  EXPECT_EQ(out, R"({"a":-5,"b":[0.5,true,null,"x"],"c":{"k":1},"d":null,"e":{}})");
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["b"][0].get<double>(), 0.5);
}

TEST(JsonWriterTest, MatchesAReferenceEncoderOnMixedText) {
  // Escapes at every offset relative to the 8-byte fast path.
  const std::string pieces[] = {"a", "\"", "\\", "\n", "\x1f", "é", "漢", "😀", "xyzxyzxy", "/"};
  std::uint32_t seed = 7;
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    int n = static_cast<int>(seed % 40);
    for (int k = 0; k < n; ++k) {
      seed = seed * 1103515245 + 12345;
      text += pieces[(seed >> 16) % 10];
    }
    std::string out;
    AppendJsonString(out, text);
    ASSERT_EQ(nlohmann::json::parse(out).get<std::string>(), text) << out;
  }
}

}  // namespace
}  // namespace ct
