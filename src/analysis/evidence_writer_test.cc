#include "analysis/evidence_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ct {
namespace {

TEST(EvidenceWriterTest, WritesValidEscapedJson) {
  EvidenceWriter w;
  w.BeginObject().Field("a", "quote \" back\\slash\nnew\x01 é").Field("n", 0.25).Field("b", true);
  w.Key("list").BeginArray().String("x").Null().Number(2).EndArray();
  w.StringArray("s", std::vector<std::string>{"p", "q"});
  w.Key("empty").BeginObject().EndObject();
  w.EndObject();
  const auto j = nlohmann::json::parse(w.str());
  EXPECT_EQ(j["a"], "quote \" back\\slash\nnew\x01 é");
  EXPECT_EQ(j["n"], 0.25);
  EXPECT_EQ(j["list"].size(), 3u);
  EXPECT_EQ(j["s"][1], "q");
  EXPECT_TRUE(j["empty"].empty());
}

}  // namespace
}  // namespace ct
