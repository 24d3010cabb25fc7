// libFuzzer target: any bytes through load + schema validation + canonical writing must neither
// crash nor hang, and the canonical writer must be a fixed point (write → load → write identical).
// Built with -DSTRATA_FUZZ=ON under clang; tests/fuzz/replay_main.cc replays the corpus in
// ordinary builds, so every build checks the kept corpus.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "specs/canonical_writer.h"
#include "specs/schema_set.h"
#include "specs/yaml_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::specs;
  static auto schemas = SchemaSet::LoadEmbedded();
  static SchemaValidator validator(*schemas);
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Diagnostics diagnostics;
  auto doc = LoadYaml("fuzz.yaml", bytes, &diagnostics);
  if (!doc.has_value()) return 0;
  validator.Validate("fuzz.yaml", doc->root.StringAt("kind"), doc->root, &diagnostics);
  std::string once = WriteCanonical(*doc, **schemas);
  Diagnostics again_diagnostics;
  auto reloaded = LoadYaml("canonical.yaml", once, &again_diagnostics);
  if (!reloaded.has_value()) {
    std::fprintf(stderr, "canonical output does not load: %s\n---\n%s\n",
                 FormatHuman(again_diagnostics).c_str(), once.c_str());
    std::abort();
  }
  std::string twice = WriteCanonical(*reloaded, **schemas);
  if (once != twice) {
    std::fprintf(stderr, "canonical writer is not a fixed point:\n%s\n---\n%s\n", once.c_str(),
                 twice.c_str());
    std::abort();
  }
  return 0;
}
