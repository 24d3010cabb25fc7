// Replays every file of the given corpus directories through a fuzz target (for builds without
// libFuzzer). tests/fuzz/corpus/<target> holds seeds made from real records and the inputs
// earlier fuzzing runs kept for their coverage (merged with -merge=1), among them every input
// that once found a bug. Prints "N passed, 0 failed"; a failing input aborts with its name printed.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  size_t passed = 0;
  for (int i = 1; i < argc; ++i) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[i])) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::fprintf(stderr, "%s\n", entry.path().c_str());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++passed;
    }
  }
  std::printf("%zu passed, 0 failed\n", passed);
  return passed > 0 ? 0 : 1;
}
