// Helpers shared by the tests (header-only, test code only): a fresh temporary directory named
// after the running test, and running a shell command for its exit code and output.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace strata::testing {

// /tmp/strata-<what>-<pid>-<test name>, empty. The caller removes it in TearDown.
inline std::string FreshTestDir(const std::string& what) {
  std::string dir = std::filesystem::temp_directory_path() /
                    ("strata-" + what + "-" + std::to_string(::getpid()) + "-" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

struct Outcome {
  int code;         // exit code, -1 when the command did not exit normally
  std::string out;  // standard output and standard error
};

inline Outcome Sh(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace strata::testing
