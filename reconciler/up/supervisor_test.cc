#include "reconciler/up/supervisor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/status_matchers.h"
#include "core/test_support.h"
#include "tests/support/child_process.h"

namespace strata::up {
namespace {

using ::strata::testing::Eventually;
using ::strata::testing::FreshTestDir;
using ::testing::HasSubstr;

bool Alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

bool LogIs(const std::string& path, const std::string& expected) {
  return Eventually([&] {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    return text == expected;
  }, std::chrono::seconds(5));
}

TEST(SupervisorTest, AChildKilledWithSignalNineIsStartedAgainAndStopAllEndsIt) {
  std::string dir = FreshTestDir("supervisor");
  Supervisor supervisor;
  ASSERT_THAT(supervisor.Start({"sleeper", {"/bin/sh", "-c", "echo started; exec sleep 60"},
                                dir + "/sleeper.log", ""}),
              IsOk());
  pid_t first = supervisor.children()[0].pid;
  ASSERT_TRUE(LogIs(dir + "/sleeper.log", "started\n"));
  ::kill(first, SIGKILL);
  ASSERT_TRUE(Eventually([&] {
    supervisor.Tick();
    return supervisor.children()[0].pid > 0 && supervisor.children()[0].pid != first;
  }, std::chrono::seconds(10)));
  EXPECT_EQ(supervisor.children()[0].restarts, 1);
  EXPECT_EQ(supervisor.children()[0].last_exit, 128 + SIGKILL);
  pid_t second = supervisor.children()[0].pid;
  // Both runs wrote to the same log, appended.
  EXPECT_TRUE(LogIs(dir + "/sleeper.log", "started\nstarted\n"));

  supervisor.StopAll(std::chrono::seconds(5));
  EXPECT_FALSE(Alive(second));
  EXPECT_EQ(supervisor.children()[0].pid, -1);
  supervisor.Tick();  // stopped means stopped: nothing is started again
  EXPECT_EQ(supervisor.children()[0].pid, -1);
  std::filesystem::remove_all(dir);
}

TEST(SupervisorTest, AChildThatIgnoresSigtermIsKilledAfterTheGrace) {
  std::string dir = FreshTestDir("supervisor");
  Supervisor supervisor;
  ASSERT_THAT(supervisor.Start({"stubborn",
                                {"/bin/sh", "-c", "trap '' TERM; sleep 60 & echo $!; wait"},
                                dir + "/stubborn.log", ""}),
              IsOk());
  pid_t pid = supervisor.children()[0].pid;
  pid_t grandchild = 0;
  ASSERT_TRUE(Eventually([&] {
    std::ifstream in(dir + "/stubborn.log");
    return static_cast<bool>(in >> grandchild);
  }, std::chrono::seconds(5)));
  auto started = std::chrono::steady_clock::now();
  supervisor.StopAll(std::chrono::milliseconds(300));
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
  EXPECT_FALSE(Alive(pid));
  // What it started went with it: the kill reached its process group.
  EXPECT_TRUE(Eventually([&] { return !Alive(grandchild); }, std::chrono::seconds(5)));
  std::filesystem::remove_all(dir);
}

TEST(SupervisorTest, ALogThatCannotBeOpenedIsAnError) {
  Supervisor supervisor;
  Status s = supervisor.Start({"nowhere", {"/bin/true"}, "/nonexistent/dir/x.log", ""});
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("cannot open /nonexistent/dir/x.log: No such file or directory"));
}

}  // namespace
}  // namespace strata::up
