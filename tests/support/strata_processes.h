// StrataProcessTest (test code only): what the CLI tests that run strata as processes stand on — a
// scratch directory, a fleet (FleetRepo: a bare fleet.git and a work clone) with strata's hooks
// installed, librdkafka's mock cluster, and Start() for `strata ARGS --kafka <the mock>` with its
// log in the directory. A test that keeps processes in members stops them in its own TearDown
// before calling this one: a process still writing into the directory makes removing it fail.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/mock_kafka.h"
#include "core/status_matchers.h"
#include "core/test_support.h"
#include "tests/support/child_process.h"
#include "tests/support/fleet_repo.h"

namespace strata::testing {

class StrataProcessTest : public ::testing::Test {
 protected:
  // From SetUp: the directory (named after `name`), the fleet with its hooks, `brokers` brokers.
  void SetUpFleet(const std::string& name, int brokers) {
    dir_ = FreshTestDir(name);
    fleet_ = std::make_unique<FleetRepo>(dir_);
    ASSERT_EQ(Sh(std::string(STRATA_BINARY) + " hook install --repo " + fleet_->bare()).code, 0);
    auto kafka = MockKafka::Start(brokers);
    ASSERT_THAT(kafka.status(), IsOk());
    kafka_ = std::move(*kafka);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // `strata --log-level info ARGS --kafka <the mock>`, logging to <dir>/<log>.log.
  std::unique_ptr<ChildProcess> Start(std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), {STRATA_BINARY, "--log-level", "info"});
    args.insert(args.end(), {"--kafka", kafka_->bootstrap_servers()});
    return std::make_unique<ChildProcess>(args, dir_ + "/" + log + ".log");
  }

  std::string dir_;
  std::unique_ptr<FleetRepo> fleet_;
  std::unique_ptr<MockKafka> kafka_;
};

}  // namespace strata::testing
