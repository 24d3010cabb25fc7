// The planner's rules, pass by pass, on a hand-made fleet with an injected clock and a hand-driven
// "agent" that reports clusters healthy or failed.
#include "reconciler/rollout/planner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "reconciler/rollout/time_text.h"

namespace strata::rollout {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr int64_t kStart = 1'800'000'000'000;  // 2027-01-15

class Fleet {
 public:
  void Add(const std::string& name, const std::string& cloud, const std::string& org = "acme",
           std::map<std::string, std::string> labels = {}) {
    FleetCluster c;
    c.name = name;
    c.target_path = "derived/rollout/targets/" + org + "/" + name + ".yaml";
    c.cloud = cloud;
    c.region = cloud == "aws" ? "us-west-2" : cloud == "gcp" ? "us-central1" : "westeurope";
    c.sku = "dedicated";
    c.orgs = {org};
    c.labels = std::move(labels);
    c.settings.kafka_version = "3.7";
    clusters[name] = c;
  }
  void AddMany(const std::string& prefix, const std::string& cloud, int n) {
    for (int i = 0; i < n; ++i) Add(prefix + std::to_string(i), cloud);
  }

  // One pass of the planner; its writes land (as the controller's commit would) and pkc applies
  // the targets to the clusters' settings.
  PlanOutput Step(const RolloutSpec& r, std::map<std::string, Settings> unfinished = {}) {
    PlanInput in{r,
                 clusters,
                 targets,
                 [this](const std::string& name) -> const Health* {
                   auto it = health.find(name);
                   return it == health.end() ? nullptr : &it->second;
                 },
                 std::move(unfinished),
                 now};
    PlanOutput out = PlanRollout(in);
    for (const Target& t : out.writes) {
      targets[t.cluster] = t;
      clusters[t.cluster].settings = Overlay(Settings{"3.7", {}}, t.settings);
    }
    return out;
  }

  // The agents: every cluster rolling at its target reports Ready (or Failed when listed).
  void Report(const std::set<std::string>& failing = {}) {
    for (const auto& [name, t] : targets) {
      if (t.phase != TargetPhase::kInProgress) continue;
      health[name] = failing.count(name) != 0 ? Health{"Failed", t.release, "broker 0 crashed"}
                                              : Health{"Ready", t.release, ""};
    }
  }

  int64_t InFlight(const RolloutSpec& r, const std::string& wave) const {
    int64_t soak = 0;
    for (const Wave& w : r.waves) {
      if (w.name == wave) soak = w.soak_ms;
    }
    int64_t n = 0;
    for (const auto& [name, t] : targets) {
      if (t.rollout != r.name || t.wave != wave) continue;
      if (t.phase == TargetPhase::kInProgress) ++n;
      if (t.phase == TargetPhase::kDone && t.done_at_ms + soak > now) ++n;
    }
    return n;
  }

  std::map<std::string, FleetCluster> clusters;
  std::map<std::string, Target> targets;
  std::map<std::string, Health> health;
  int64_t now = kStart;
};

Wave MakeWave(std::string name, int64_t max_concurrent, Selector selector = {}, int percent = 100) {
  Wave w;
  w.name = std::move(name);
  w.max_concurrent.count = max_concurrent;
  w.selector = std::move(selector);
  w.percent = percent;
  return w;
}

RolloutSpec Upgrade(std::vector<Wave> waves) {
  RolloutSpec r;
  r.name = "kafka-38";
  r.path = "rollouts/kafka-38.yaml";
  r.change.kafka_version = "3.8";
  r.waves = std::move(waves);
  return r;
}

Selector Clouds(std::set<std::string> clouds) {
  Selector s;
  s.clouds = std::move(clouds);
  return s;
}

TEST(PlannerTest, WavesGoInOrderAndEachTakesWhatItsSelectorLeaves) {
  Fleet f;
  f.Add("internal-aws", "aws", "strata", {{"internal", "true"}});
  f.Add("internal-gcp", "gcp", "strata", {{"internal", "true"}});
  f.AddMany("az", "azure", 3);
  f.AddMany("aws", "aws", 20);
  f.AddMany("gcp", "gcp", 4);
  Selector internal;
  internal.labels = {{"internal", "true"}};
  RolloutSpec r =
      Upgrade({MakeWave("internal", 10, internal), MakeWave("azure", 10, Clouds({"azure"})),
               MakeWave("aws-10", 10, Clouds({"aws"}), 10),
               MakeWave("aws-rest", 10, Clouds({"aws"})), MakeWave("gcp", 10, Clouds({"gcp"}))});
  std::vector<std::string> order;  // wave of each release, in release order
  for (int pass = 0; pass < 20; ++pass) {
    PlanOutput out = f.Step(r);
    for (const std::string& name : out.released) order.push_back(f.targets.at(name).wave);
    f.Report();
    if (out.progress.phase == RolloutPhase::kComplete) break;
  }
  std::vector<std::string> waves_seen;
  for (const std::string& w : order) {
    if (waves_seen.empty() || waves_seen.back() != w) waves_seen.push_back(w);
  }
  EXPECT_THAT(waves_seen, ElementsAre("internal", "azure", "aws-10", "aws-rest", "gcp"));
  std::map<std::string, int> per_wave;
  for (const std::string& w : order) ++per_wave[w];
  EXPECT_EQ(per_wave["internal"], 2);
  EXPECT_EQ(per_wave["azure"], 3);
  EXPECT_EQ(per_wave["aws-10"], 2);  // 10% of the 20 AWS clusters left
  EXPECT_EQ(per_wave["aws-rest"], 18);
  EXPECT_EQ(per_wave["gcp"], 4);
  EXPECT_EQ(f.targets.at("internal-gcp").wave, "internal");
  for (const auto& [name, c] : f.clusters) EXPECT_EQ(c.settings.kafka_version, "3.8") << name;
  PlanOutput last = f.Step(r);
  EXPECT_EQ(last.progress.phase, RolloutPhase::kComplete);
  EXPECT_THAT(last.writes, IsEmpty());  // level-based: nothing more to do
}

TEST(PlannerTest, PercentOfWhatIsLeftRoundsUpAndStaysPutAsClustersAreReleased) {
  Fleet f;
  f.AddMany("aws", "aws", 25);
  RolloutSpec r = Upgrade({MakeWave("canary", 1, Clouds({"aws"}), 10), MakeWave("rest", 100)});
  PlanOutput first = f.Step(r);
  EXPECT_EQ(first.progress.waves[0].clusters, 3);  // ceil(10% of 25)
  EXPECT_EQ(first.progress.waves[1].clusters, 22);
  EXPECT_THAT(first.released, SizeIs(1));
  f.Report();
  PlanOutput second = f.Step(r);
  EXPECT_EQ(second.progress.waves[0].clusters, 3);
  EXPECT_EQ(second.progress.waves[0].done, 1);
  EXPECT_THAT(second.released, SizeIs(1));
}

TEST(PlannerTest, NeverMoreThanMaxConcurrentInFlightWhateverOrderClustersFinishIn) {
  Fleet f;
  f.AddMany("c", "aws", 40);
  Wave first = MakeWave("first", 0);
  first.max_concurrent.percent = 25;  // of 8 clusters: 2
  Wave second = MakeWave("second", 5);
  second.soak_ms = 60'000;
  RolloutSpec r = Upgrade({first, second});
  r.waves[0].selector.clouds = {"aws"};
  r.waves[0].percent = 20;
  std::mt19937 random(7);
  int64_t max_seen_first = 0, max_seen_second = 0;
  for (int pass = 0; pass < 400; ++pass) {
    PlanOutput out = f.Step(r);
    max_seen_first = std::max(max_seen_first, f.InFlight(r, "first"));
    max_seen_second = std::max(max_seen_second, f.InFlight(r, "second"));
    ASSERT_LE(f.InFlight(r, "first"), 2) << "pass " << pass;
    ASSERT_LE(f.InFlight(r, "second"), 5) << "pass " << pass;
    if (out.progress.phase == RolloutPhase::kComplete) break;
    // A random one of the clusters in flight finishes; time moves 20 s.
    std::vector<std::string> rolling;
    for (const auto& [name, t] : f.targets) {
      if (t.phase == TargetPhase::kInProgress) rolling.push_back(name);
    }
    if (!rolling.empty()) {
      const Target& t = f.targets.at(rolling[random() % rolling.size()]);
      f.health[t.cluster] = Health{"Ready", t.release, ""};
    }
    f.now += 20'000;
  }
  EXPECT_EQ(max_seen_first, 2);
  EXPECT_EQ(max_seen_second, 5);
  EXPECT_EQ(f.Step(r).progress.phase, RolloutPhase::kComplete);
}

TEST(PlannerTest, SoakHoldsTheNextWaveUntilItEndsByTheClock) {
  Fleet f;
  f.AddMany("az", "azure", 2);
  f.AddMany("aws", "aws", 2);
  Wave azure = MakeWave("azure", 5, Clouds({"azure"}));
  azure.soak_ms = 10 * 60'000;
  RolloutSpec r = Upgrade({azure, MakeWave("aws", 5, Clouds({"aws"}))});
  EXPECT_THAT(f.Step(r).released, SizeIs(2));
  f.now += 30'000;
  f.Report();
  PlanOutput done = f.Step(r);  // both turn Done now: the soak starts
  EXPECT_THAT(done.done, SizeIs(2));
  EXPECT_THAT(done.released, IsEmpty());
  EXPECT_EQ(done.progress.waiting_for, WaitingFor::kSoak);
  EXPECT_EQ(done.progress.soak_until_ms, f.now + 10 * 60'000);
  EXPECT_EQ(done.requeue_after_ms, 30'000);  // the poll for clusters added meanwhile
  EXPECT_EQ(done.progress.reason, "wave azure soaks until " + FormatMillis(f.now + 10 * 60'000));
  int64_t soak_end = f.now + 10 * 60'000;
  f.now = soak_end - 1;
  PlanOutput early = f.Step(r);
  EXPECT_THAT(early.released, IsEmpty());
  EXPECT_EQ(early.requeue_after_ms, 1);
  f.now = soak_end;
  PlanOutput next = f.Step(r);
  EXPECT_THAT(next.released, SizeIs(2));
  EXPECT_EQ(next.progress.waves[0].state, WaveState::kComplete);
  EXPECT_EQ(next.progress.waves[0].completed_at_ms, soak_end);
  EXPECT_EQ(f.targets.at(next.released[0]).wave, "aws");
}

TEST(PlannerTest, FailuresBeyondTheBudgetPauseTheRolloutUntilPeopleAcknowledgeThem) {
  Fleet f;
  f.AddMany("c", "aws", 10);
  Wave wave = MakeWave("all", 4);
  wave.max_failures.count = 1;
  RolloutSpec r = Upgrade({wave});
  std::vector<std::string> first = f.Step(r).released;
  ASSERT_THAT(first, SizeIs(4));
  f.Report({first[0], first[1]});  // two of the four fail: one more than allowed
  PlanOutput paused = f.Step(r);
  EXPECT_THAT(paused.failed, ElementsAre(first[0], first[1]));
  EXPECT_EQ(paused.progress.phase, RolloutPhase::kPaused);
  EXPECT_EQ(paused.progress.waiting_for, WaitingFor::kFailureBudget);
  EXPECT_EQ(paused.progress.reason,
            "wave all: 2 clusters failed, 1 allowed (maxFailures); fix them or accept the failures "
            "with: strata rollout resume kafka-38");
  EXPECT_THAT(paused.released, IsEmpty());
  EXPECT_EQ(f.targets.at(first[0]).reason, "broker 0 crashed");
  EXPECT_THAT(f.Step(r).released, IsEmpty());  // stays paused

  r.acknowledged_failures = 2;  // `strata rollout resume`
  PlanOutput resumed = f.Step(r);
  EXPECT_EQ(resumed.progress.phase, RolloutPhase::kRunning);
  EXPECT_THAT(resumed.released, SizeIs(4));  // failed clusters are not in flight
  f.Report({resumed.released[0]});
  EXPECT_EQ(f.Step(r).progress.waiting_for, WaitingFor::kFailureBudget);  // a new failure
}

TEST(PlannerTest, AFailedClusterThatRecoversTurnsDone) {
  Fleet f;
  f.AddMany("c", "aws", 1);
  Wave wave = MakeWave("all", 1);
  wave.max_failures.count = 1;
  RolloutSpec r = Upgrade({wave});
  f.Step(r);
  f.Report({"c0"});
  EXPECT_EQ(f.Step(r).progress.waves[0].failed, 1);
  f.health["c0"].phase = "Ready";
  PlanOutput out = f.Step(r);
  EXPECT_THAT(out.done, ElementsAre("c0"));
  EXPECT_EQ(out.progress.phase, RolloutPhase::kComplete);
}

TEST(PlannerTest, AWaveThatRequiresApprovalWaitsForIt) {
  Fleet f;
  f.AddMany("az", "azure", 1);
  f.AddMany("aws", "aws", 1);
  Wave aws = MakeWave("aws", 5, Clouds({"aws"}));
  aws.requires_approval = true;
  RolloutSpec r = Upgrade({MakeWave("azure", 5, Clouds({"azure"})), aws});
  f.Step(r);
  f.Report();
  PlanOutput waiting = f.Step(r);
  EXPECT_THAT(waiting.released, IsEmpty());
  EXPECT_EQ(waiting.progress.waiting_for, WaitingFor::kApproval);
  EXPECT_EQ(waiting.progress.reason,
            "wave aws waits for approval: strata rollout approve kafka-38 aws");
  EXPECT_EQ(waiting.progress.waves[1].state, WaveState::kPending);
  r.approved_waves.insert("aws");
  EXPECT_THAT(f.Step(r).released, ElementsAre("aws0"));
}

TEST(PlannerTest, PausedReleasesNothingButStillRecordsClustersTurningDone) {
  Fleet f;
  f.AddMany("c", "aws", 4);
  RolloutSpec r = Upgrade({MakeWave("all", 2)});
  f.Step(r);
  r.state = RequestedState::kPaused;
  f.Report();
  PlanOutput out = f.Step(r);
  EXPECT_THAT(out.done, SizeIs(2));
  EXPECT_THAT(out.released, IsEmpty());
  EXPECT_EQ(out.progress.phase, RolloutPhase::kPaused);
  EXPECT_EQ(out.progress.waiting_for, WaitingFor::kPaused);
  r.state = RequestedState::kRunning;
  EXPECT_THAT(f.Step(r).released, SizeIs(2));
}

TEST(PlannerTest, AbortReturnsClustersNotYetHealthyToTheirPreviousSettings) {
  Fleet f;
  f.AddMany("c", "aws", 6);
  Wave wave = MakeWave("all", 3);
  wave.max_failures.count = 5;
  RolloutSpec r = Upgrade({wave});
  std::vector<std::string> first = f.Step(r).released;
  f.health[first[0]] = Health{"Ready", f.targets.at(first[0]).release, ""};
  f.health[first[1]] = Health{"Failed", f.targets.at(first[1]).release, "disk full"};
  f.Step(r);
  r.state = RequestedState::kAborted;
  PlanOutput out = f.Step(r);
  // Everything released but not healthy: the failed one and the two in flight (the failed one
  // kept its slot, so one more was released after the first turned Done).
  EXPECT_THAT(out.reverted, SizeIs(3));
  EXPECT_THAT(out.reverted, ::testing::Contains(first[1]));
  EXPECT_THAT(out.released, IsEmpty());
  EXPECT_EQ(out.progress.phase, RolloutPhase::kAborted);
  EXPECT_EQ(f.targets.at(first[0]).phase, TargetPhase::kDone);
  EXPECT_EQ(f.clusters.at(first[0]).settings.kafka_version, "3.8");  // done: keeps the change
  for (const std::string& name : out.reverted) {
    const Target& t = f.targets.at(name);
    EXPECT_EQ(t.phase, TargetPhase::kReverted);
    EXPECT_EQ(t.settings, Settings{});  // nothing managed before: pkc's own version again
    EXPECT_EQ(t.release, ReleaseToken("kafka-38", Settings{}, true));
    EXPECT_EQ(f.clusters.at(name).settings.kafka_version, "3.7");
  }
  EXPECT_THAT(f.Step(r).writes, IsEmpty());
}

TEST(PlannerTest, AClusterAddedToAFinishedWaveGetsTheChange) {
  Fleet f;
  f.AddMany("az", "azure", 1);
  f.AddMany("aws", "aws", 3);
  RolloutSpec r =
      Upgrade({MakeWave("azure", 1, Clouds({"azure"})), MakeWave("aws", 1, Clouds({"aws"}))});
  f.Step(r);
  f.Report();
  f.Step(r);  // azure done; aws starts
  f.Report();
  f.Add("az-new", "azure");
  PlanOutput out = f.Step(r);
  EXPECT_THAT(out.released,
              ::testing::UnorderedElementsAre("az-new", ::testing::StartsWith("aws")));
  EXPECT_EQ(f.targets.at("az-new").wave, "azure");
  for (int i = 0; i < 5; ++i) {
    f.Report();
    f.Step(r);
  }
  ASSERT_EQ(f.Step(r).progress.phase, RolloutPhase::kComplete);
  f.Add("aws-late", "aws");  // after the end, too
  PlanOutput late = f.Step(r);
  EXPECT_THAT(late.released, ElementsAre("aws-late"));
  EXPECT_EQ(f.targets.at("aws-late").settings.kafka_version, "3.8");
}

TEST(PlannerTest, AClusterThatAlreadyHasTheChangeCountsDoneWithoutARelease) {
  Fleet f;
  f.AddMany("c", "aws", 2);
  f.clusters["c1"].settings.kafka_version = "3.8";
  RolloutSpec r = Upgrade({MakeWave("all", 5)});
  PlanOutput out = f.Step(r);
  EXPECT_THAT(out.released, ElementsAre("c0"));
  EXPECT_EQ(out.progress.waves[0].done, 1);
}

TEST(PlannerTest, ASecondRolloutOfOtherSettingsWaitsForTheFirstAndKeepsWhatItSet) {
  Fleet f;
  f.AddMany("c", "aws", 1);
  RolloutSpec version = Upgrade({MakeWave("all", 1)});
  f.Step(version);
  RolloutSpec config;
  config.name = "retention";
  config.path = "rollouts/retention.yaml";
  config.change.config = {{"log.retention.ms", "86400000"}};
  config.waves = {MakeWave("all", 1)};
  PlanOutput held = f.Step(config, {{"kafka-38", version.change}});
  EXPECT_THAT(held.released, IsEmpty());
  EXPECT_EQ(held.progress.reason, "1 clusters wait for another rollout to finish with them");
  f.Report();
  f.Step(version);
  PlanOutput go = f.Step(config, {{"kafka-38", version.change}});
  ASSERT_THAT(go.released, ElementsAre("c0"));
  const Target& t = f.targets.at("c0");
  EXPECT_EQ(t.settings.kafka_version, "3.8");
  EXPECT_EQ(t.settings.config.at("log.retention.ms"), "86400000");
  EXPECT_EQ(t.previous.kafka_version, "3.8");
  EXPECT_THAT(t.previous.config, IsEmpty());
}

TEST(PlannerTest, TwoUnfinishedRolloutsOfOneSettingNeverTakeTurnsOnACluster) {
  Fleet f;
  f.AddMany("c", "aws", 1);
  RolloutSpec v38 = Upgrade({MakeWave("all", 1)});
  f.Step(v38);
  f.Report();
  f.Step(v38);  // Done at 3.8; kafka-38 not finished in the eyes of the other (say, paused)
  RolloutSpec v39 = Upgrade({MakeWave("all", 1)});
  v39.name = "kafka-39";
  v39.change.kafka_version = "3.9";
  PlanOutput out = f.Step(v39, {{"kafka-38", v38.change}});
  EXPECT_THAT(out.released, IsEmpty());
  EXPECT_EQ(out.progress.waves[0].pending, 1);
  EXPECT_THAT(f.Step(v39).released, ElementsAre("c0"));  // once kafka-38 is finished
}

TEST(PlannerTest, AFinishedRolloutStaysFinishedWhenALaterOneTakesItsClustersOver) {
  Fleet f;
  f.AddMany("c", "aws", 2);
  RolloutSpec v38 = Upgrade({MakeWave("all", 2)});
  f.Step(v38);
  f.Report();
  ASSERT_EQ(f.Step(v38).progress.phase, RolloutPhase::kComplete);
  RolloutSpec v39 = Upgrade({MakeWave("all", 1)});
  v39.name = "kafka-39";
  v39.change.kafka_version = "3.9";
  ASSERT_THAT(f.Step(v39).released, SizeIs(1));  // kafka-38 is finished: not in the way
  PlanOutput again = f.Step(v38, {{"kafka-39", v39.change}});
  EXPECT_EQ(again.progress.phase, RolloutPhase::kComplete);  // superseded, not reopened
  EXPECT_THAT(again.writes, IsEmpty());
}

TEST(PlannerTest, AClusterThatFallsOverDuringItsSoakFails) {
  Fleet f;
  f.AddMany("c", "aws", 2);
  Wave wave = MakeWave("all", 1);
  wave.soak_ms = 60'000;
  wave.max_failures.count = 1;
  RolloutSpec r = Upgrade({wave, MakeWave("next", 1)});
  std::string first = f.Step(r).released.at(0);
  f.Report();
  f.Step(r);  // Done, soaking
  f.now += 30'000;
  f.health[first].phase = "Degraded";
  f.health[first].reason = "broker 2 is not healthy";
  PlanOutput out = f.Step(r);
  EXPECT_THAT(out.failed, ElementsAre(first));
  EXPECT_EQ(f.targets.at(first).reason, "broker 2 is not healthy (during its soak)");
  EXPECT_EQ(out.progress.waves[0].failed, 1);
}

TEST(PlannerTest, AFailedClusterKeepsItsSlotUntilTheFailuresAreAcknowledged) {
  Fleet f;
  f.AddMany("c", "aws", 4);
  Wave wave = MakeWave("all", 2);
  wave.max_failures.count = 3;  // within the budget: the rollout goes on
  RolloutSpec r = Upgrade({wave});
  std::vector<std::string> first = f.Step(r).released;
  f.Report({first[0]});  // one fails (its agent may still be retrying), one is done
  PlanOutput out = f.Step(r);
  EXPECT_THAT(out.released, SizeIs(1));  // one slot, not two
  EXPECT_EQ(f.InFlight(r, "all"), 1);
  r.acknowledged_failures = 1;
  EXPECT_THAT(f.Step(r).released, SizeIs(1));
}

TEST(PlannerTest, SelectorOfOrgsTakesASharedClusterOnlyWhenEveryTenantIsInThem) {
  Fleet f;
  f.Add("shared", "aws");
  f.clusters["shared"].orgs = {"acme", "globex"};
  f.Add("dedicated", "aws", "acme");
  RolloutSpec r = Upgrade({MakeWave("all", 5)});
  r.selector.orgs = {"acme"};
  EXPECT_THAT(f.Step(r).released, ElementsAre("dedicated"));
}

}  // namespace
}  // namespace strata::rollout
