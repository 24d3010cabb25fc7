#include "specs/yaml_loader.h"

#include <gtest/gtest.h>

namespace strata::specs {
namespace {

// Loads `text` and returns the single error as "line:col: message", or "ok".
std::string ErrorOf(const std::string& text) {
  Diagnostics d;
  auto doc = LoadYaml("f.yaml", text, &d);
  if (doc.has_value()) return d.empty() ? "ok" : "ok with diagnostics?";
  EXPECT_EQ(d.size(), 1u);
  return std::to_string(d[0].line) + ":" + std::to_string(d[0].column) + ": " + d[0].message;
}

TEST(YamlLoaderTest, KeepsLineAndColumnOfEveryField) {
  Diagnostics d;
  auto doc = LoadYaml("f.yaml", "# c\nkind: X\nspec:\n  cku: 4\n  zones:\n    - a\n    - \"b\"\n", &d);
  ASSERT_TRUE(doc.has_value());
  const Node* cku = doc->root.AtPath("spec.cku");
  ASSERT_NE(cku, nullptr);
  EXPECT_EQ(cku->mark().line, 4);
  EXPECT_EQ(cku->mark().column, 8);
  EXPECT_EQ(cku->type(), Node::Type::kInt);
  EXPECT_EQ(cku->as_int(), 4);
  const Node* b = doc->root.AtPath("spec.zones[1]");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->mark().line, 7);
  EXPECT_EQ(b->type(), Node::Type::kString);
  EXPECT_EQ(doc->root.entries()[1].key_mark.line, 3);
  EXPECT_EQ(doc->header, "# c\n");
}

TEST(YamlLoaderTest, TypesScalarsByTheYaml12CoreSchema) {
  EXPECT_EQ(ResolvePlainScalar("4"), Node::Type::kInt);
  EXPECT_EQ(ResolvePlainScalar("-12"), Node::Type::kInt);
  EXPECT_EQ(ResolvePlainScalar("0x1F"), Node::Type::kInt);
  EXPECT_EQ(ResolvePlainScalar("3.7"), Node::Type::kFloat);
  EXPECT_EQ(ResolvePlainScalar("true"), Node::Type::kBool);
  EXPECT_EQ(ResolvePlainScalar("yes"), Node::Type::kString);  // YAML 1.1 only
  EXPECT_EQ(ResolvePlainScalar("~"), Node::Type::kNull);
  EXPECT_EQ(ResolvePlainScalar("us-west-2"), Node::Type::kString);
  EXPECT_EQ(ResolvePlainScalar("2024-01-01"), Node::Type::kString);
  EXPECT_EQ(ResolvePlainScalar("1.5e3"), Node::Type::kFloat);
  EXPECT_EQ(ResolvePlainScalar("-.inf"), Node::Type::kFloat);
  EXPECT_EQ(ResolvePlainScalar("1.2.3"), Node::Type::kString);
  EXPECT_EQ(ResolvePlainScalar("1e"), Node::Type::kString);
  EXPECT_EQ(ParseYamlInt("0o17"), 15);
  EXPECT_EQ(ParseYamlInt("0x1F"), 31);
  EXPECT_EQ(ParseYamlInt("-12"), -12);
  EXPECT_EQ(ParseYamlInt("99999999999999999999"), std::nullopt);
}

TEST(YamlLoaderTest, RefusesSyntaxErrorsWithTheirPosition) {
  EXPECT_EQ(ErrorOf("a: [1, 2\n"), "2:1: YAML syntax error: end of sequence flow not found");
}

TEST(YamlLoaderTest, RefusesSeveralDocuments) {
  EXPECT_EQ(ErrorOf("a: 1\n---\nb: 2\n"),
            "2:1: several YAML documents in one file; a spec file holds exactly one resource");
}

TEST(YamlLoaderTest, RefusesAnchorsAndAliasesSoABillionLaughsCannotExpand) {
  std::string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ",*" + prev + ",*" + prev + ",*" + prev +
            ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + ",*" + prev + "]\n";
  }
  EXPECT_EQ(ErrorOf(bomb), "1:4: YAML anchors (&name) are not allowed in specs");
}

TEST(YamlLoaderTest, RefusesDeepNestingWithoutCrashing) {
  std::string flow = "a: " + std::string(10000, '[') + std::string(10000, ']') + "\n";
  EXPECT_EQ(ErrorOf(flow), "1:67: nesting deeper than 64 levels; specs are only a few levels deep");
  std::string block;
  for (int i = 0; i < 1000; ++i) block += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  EXPECT_EQ(ErrorOf(block), "65:65: nesting deeper than 64 levels; specs are only a few levels deep");
}

TEST(YamlLoaderTest, RefusesIntegersThatDoNotFitAndOverlongScalars) {
  EXPECT_EQ(ErrorOf("quota: 99999999999999999999\n"),
            "1:8: integer 99999999999999999999 does not fit in 64 bits");
  EXPECT_EQ(ErrorOf("cku: 1." + std::string(900'000, '7') + "\n"),
            "1:6: a value of 900002 bytes; values in a spec may be at most 4096 bytes");
}

TEST(YamlLoaderTest, RefusesFilesOverTheSizeLimit) {
  std::string big(50'000'000, 'a');
  EXPECT_EQ(ErrorOf(big), "0:0: file is 50.0 MB; a spec file may be at most 1024 KiB");
}

TEST(YamlLoaderTest, RefusesBinaryAndInvalidUtf8) {
  EXPECT_EQ(ErrorOf(std::string("a: 1\nb: \0\n", 10)),
            "2:4: binary content (a NUL byte); a spec is UTF-8 text");
  EXPECT_EQ(ErrorOf("a: caf\xc3\n"), "1:7: invalid UTF-8; a spec is UTF-8 text");
  EXPECT_EQ(ErrorOf("a: \xed\xa0\x80\n"), "1:4: invalid UTF-8; a spec is UTF-8 text");  // surrogate
  EXPECT_EQ(ErrorOf("a: caf\xc3\xa9\n"), "ok");
  // Found by the fuzzer: yaml-cpp decodes "\N" to a lone Latin-1 byte.
  EXPECT_EQ(ErrorOf("a: \"x\\Ny\"\n"),
            "1:4: a value that is not valid UTF-8 once its escapes are decoded");
}

TEST(YamlLoaderTest, RefusesEmptyFiles) {
  EXPECT_EQ(ErrorOf(""), "0:0: empty file; a spec file holds exactly one resource");
  EXPECT_EQ(ErrorOf("# only a comment\n"), "0:0: empty file; a spec file holds exactly one resource");
}

TEST(YamlLoaderTest, RefusesDuplicateKeysAndComplexKeys) {
  EXPECT_EQ(ErrorOf("a: 1\nb: 2\na: 3\n"), "3:1: duplicate key 'a'");
  EXPECT_EQ(ErrorOf("? [a]\n: 1\n"), "1:3: map keys must be plain strings, not maps or lists");
}

TEST(YamlLoaderTest, RefusesExplicitTagsAndNonMapDocuments) {
  EXPECT_EQ(ErrorOf("a: !!str 4\n"),
            "1:4: explicit YAML tags (tag:yaml.org,2002:str) are not allowed in specs");
  EXPECT_EQ(ErrorOf("- a\n- b\n"), "1:1: a spec must be a YAML map (apiVersion, kind, metadata, spec)");
}

}  // namespace
}  // namespace strata::specs
