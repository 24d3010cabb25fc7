#include "tests/chaos/fleet_writer.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/test_support.h"
#include "specs/regions.h"

namespace strata::chaos {
namespace {

namespace fs = std::filesystem;
using testing::Sh;

constexpr auto kUnrejectedFixAfter = std::chrono::seconds(60);
// At the end of the run, how long the fixes still owed wait for their rejections, all together.
constexpr auto kFinalFixesWait = std::chrono::seconds(15);

std::string CloudOf(const std::string& region) {
  for (const specs::Region& r : specs::AllRegions()) {
    if (r.name == region) return std::string(r.cloud);
  }
  return "";
}

bool InEu(const std::string& region) {
  for (const specs::Region& r : specs::AllRegions()) {
    if (r.name == region) return r.geography == specs::Geography::kEu;
  }
  return false;
}

}  // namespace

FleetWriter::FleetWriter(std::string bare, std::string work, uint64_t seed, std::mutex* push_mu,
                         RejectionCounter rejections)
    : bare_(std::move(bare)),
      work_(std::move(work)),
      random_(seed),
      push_mu_(push_mu),
      rejections_(std::move(rejections)) {}

Result<std::unique_ptr<FleetWriter>> FleetWriter::Clone(const std::string& bare,
                                                        const std::string& work, uint64_t seed,
                                                        std::mutex* push_mu,
                                                        RejectionCounter rejections) {
  fs::remove_all(work);
  auto cloned = Sh("git clone -q " + bare + " " + work);
  if (cloned.code != 0) return Status::Internal("git clone " + bare + ": " + cloned.out);
  std::unique_ptr<FleetWriter> writer(
      new FleetWriter(bare, work, seed, push_mu, std::move(rejections)));
  RETURN_IF_ERROR(writer->LoadFleet());
  return writer;
}

Status FleetWriter::LoadFleet() {
  try {
    for (const auto& entry : fs::directory_iterator(work_ + "/policy/orgs")) {
      YAML::Node doc = YAML::LoadFile(entry.path().string());
      Org org;
      org.residency = doc["spec"]["dataResidency"].as<std::string>("any");
      org.max_clusters = doc["spec"]["quotas"]["maxClusters"].as<int>(1 << 20);
      org.max_cku = doc["spec"]["quotas"]["maxTotalCku"].as<int>(1 << 20);
      orgs_[doc["metadata"]["name"].as<std::string>()] = org;
    }
    for (const auto& entry : fs::recursive_directory_iterator(work_ + "/tenants")) {
      if (entry.path().extension() != ".yaml" || entry.path().parent_path().filename() != "kafka") {
        continue;
      }
      YAML::Node doc = YAML::LoadFile(entry.path().string());
      Cluster c;
      c.org = doc["metadata"]["org"].as<std::string>();
      c.name = doc["metadata"]["name"].as<std::string>();
      c.sku = doc["spec"]["sku"].as<std::string>();
      c.region = doc["spec"]["region"].as<std::string>();
      c.availability = doc["spec"]["availability"].as<std::string>("multi-zone");
      c.network = doc["spec"]["network"].as<std::string>("");
      c.cku = doc["spec"]["cku"].as<int>(0);
      clusters_.push_back(c);
    }
  } catch (const YAML::Exception& e) {
    return Status::Internal(std::string("reading the fleet clone: ") + e.what());
  }
  std::sort(clusters_.begin(), clusters_.end(),
            [](const Cluster& a, const Cluster& b) { return a.path() < b.path(); });
  if (clusters_.empty()) return Status::Internal("the fleet has no Kafka clusters");
  return Status::Ok();
}

Result<PushedChange> FleetWriter::MakeChange() {
  for (OwedFix& fix : owed_) --fix.due_after;
  for (size_t i = 0; i < owed_.size(); ++i) {
    if (Due(owed_[i])) {
      OwedFix fix = owed_[i];
      owed_.erase(owed_.begin() + static_cast<long>(i));
      return Fix(fix);
    }
  }
  int dice = std::uniform_int_distribution<int>(0, 99)(random_);
  Result<PushedChange> change = Status::Unavailable("no change fits");
  if (dice < 10) change = Invalid();
  else if (dice < 40) change = Resize();
  else if (dice < 60) change = Label();
  else if (dice < 82) change = Add();
  else change = Delete();
  // A change that found nothing to act on (every dedicated cluster at its quota) becomes a label.
  if (!change.ok() && change.status().code() == StatusCode::kUnavailable) change = Label();
  if (change.ok() && change->what != "fix") ++counts_[change->what];
  return change;
}

bool FleetWriter::Due(const OwedFix& fix) const {
  if (fix.due_after > 0) return false;
  return rejections_(fix.key) > fix.rejections_before ||
         std::chrono::steady_clock::now() - fix.pushed_at > kUnrejectedFixAfter;
}

std::string FleetWriter::Render(const Cluster& c, const std::string& region, int cku,
                                const std::string& label) const {
  std::string out =
      "# yaml-language-server: $schema=../../../.strata/schema/v1alpha1/kafkacluster.json\n"
      "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: " + c.name +
      "\n  org: " + c.org + "\n";
  if (!label.empty()) out += "  labels:\n    chaos-step: \"" + label + "\"\n";
  out += "spec:\n  sku: " + c.sku + "\n  cloud: " + CloudOf(region) + "\n  region: " + region +
         "\n  availability: " + c.availability + "\n";
  if (cku > 0) out += "  cku: " + std::to_string(cku) + "\n";
  // A private network is in the cluster's region: moved elsewhere (the residency change) it
  // would be a second error; the change is about residency alone.
  if (!c.network.empty() && region == c.region) out += "  network: " + c.network + "\n";
  return out;
}

Result<std::vector<PushedChange>> FleetWriter::FixAll() {
  std::vector<PushedChange> fixed;
  const auto deadline = std::chrono::steady_clock::now() + kFinalFixesWait;
  while (!owed_.empty()) {
    // Waits for the rejection, as a person would, but no longer than the run's end allows.
    while (rejections_(owed_.front().key) <= owed_.front().rejections_before &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    OwedFix fix = owed_.front();
    owed_.erase(owed_.begin());
    ASSIGN_OR_RETURN(PushedChange change, Fix(fix));
    fixed.push_back(change);
  }
  return fixed;
}

FleetWriter::Cluster* FleetWriter::PickCluster(bool dedicated, bool eu_resident) {
  std::vector<Cluster*> fits;
  for (Cluster& c : clusters_) {
    if (busy_.count(c.path()) != 0) continue;
    if (dedicated && c.sku != "dedicated") continue;
    if (eu_resident && orgs_[c.org].residency != "eu") continue;
    fits.push_back(&c);
  }
  if (fits.empty()) return nullptr;
  return fits[std::uniform_int_distribution<size_t>(0, fits.size() - 1)(random_)];
}

int FleetWriter::UsedCku(const std::string& org) const {
  int used = 0;
  for (const Cluster& c : clusters_) used += c.org == org ? c.cku : 0;
  return used;
}

int FleetWriter::ClusterCount(const std::string& org) const {
  int count = 0;
  for (const Cluster& c : clusters_) count += c.org == org ? 1 : 0;
  return count;
}

Result<PushedChange> FleetWriter::Resize() {
  Cluster* c = PickCluster(/*dedicated=*/true);
  if (c == nullptr) return Status::Unavailable("no dedicated cluster");
  bool can_grow = c->cku < 8 && UsedCku(c->org) + 1 <= orgs_[c->org].max_cku;
  bool grow = can_grow && (c->cku == 1 || std::uniform_int_distribution<int>(0, 1)(random_) == 1);
  if (!grow && c->cku == 1) return Status::Unavailable("no room to resize");
  c->cku += grow ? 1 : -1;
  Write(c->path(), Render(*c, c->region, c->cku, ""));
  ASSIGN_OR_RETURN(std::string commit,
                   CommitAndPush(c->name + ": " + std::to_string(c->cku) + " CKU"));
  return PushedChange{"resize", c->key(), c->path(), commit, true, std::chrono::steady_clock::now()};
}

Result<PushedChange> FleetWriter::Label() {
  Cluster* c = PickCluster(/*dedicated=*/false);
  if (c == nullptr) return Status::Unavailable("no cluster");
  std::string step = "s" + std::to_string(++next_name_);
  Write(c->path(), Render(*c, c->region, c->cku, step));
  ASSIGN_OR_RETURN(std::string commit, CommitAndPush(c->name + ": label chaos-step " + step));
  return PushedChange{"label", c->key(), c->path(), commit, true, std::chrono::steady_clock::now()};
}

Result<PushedChange> FleetWriter::Add() {
  Cluster* like = PickCluster(/*dedicated=*/false);
  if (like == nullptr || ClusterCount(like->org) >= orgs_[like->org].max_clusters) {
    return Status::Unavailable("no org with room");
  }
  Cluster c;
  c.org = like->org;
  c.name = "chaos-" + std::to_string(++next_name_);
  c.sku = "basic";
  c.region = like->region;  // a region its org's residency already allows
  c.availability = "multi-zone";
  clusters_.push_back(c);
  Write(c.path(), Render(c, c.region, 0, ""));
  ASSIGN_OR_RETURN(std::string commit, CommitAndPush("new basic cluster " + c.name));
  return PushedChange{"add", c.key(), c.path(), commit, true, std::chrono::steady_clock::now()};
}

Result<PushedChange> FleetWriter::Delete() {
  Cluster* c = PickCluster(/*dedicated=*/false);
  if (c == nullptr || clusters_.size() < 2) return Status::Unavailable("no cluster");
  Cluster gone = *c;
  clusters_.erase(clusters_.begin() + (c - clusters_.data()));
  fs::remove(work_ + "/" + gone.path());
  ASSIGN_OR_RETURN(std::string commit, CommitAndPush("delete " + gone.name));
  return PushedChange{"delete", gone.key(), gone.path(), commit, true,
                      std::chrono::steady_clock::now()};
}

Result<PushedChange> FleetWriter::Invalid() {
  int kind = std::uniform_int_distribution<int>(0, 2)(random_);
  Cluster* c = kind == 2 ? PickCluster(false, /*eu_resident=*/true)
               : kind == 1 ? PickCluster(/*dedicated=*/true) : PickCluster(false);
  if (c == nullptr) return Status::Unavailable("no cluster for an invalid change");
  OwedFix fix{c->path(), Read(c->path()), c->key(),
              std::uniform_int_distribution<int>(2, 6)(random_), rejections_(c->key()),
              std::chrono::steady_clock::now()};
  std::string what;
  if (kind == 0) {
    what = "invalid-yaml";
    Write(c->path(), fix.content + "  brokers: [3\n");
  } else if (kind == 1) {
    what = "invalid-cku";  // the schema's minimum is 1
    Write(c->path(), Render(*c, c->region, 0, "") +
                         "  cku: 0\n");
  } else {
    what = "invalid-residency";  // an EU-resident org's cluster in a US region
    std::string region = InEu(c->region) ? "us-east-1" : c->region;
    Write(c->path(), Render(*c, region, c->cku, ""));
  }
  busy_[c->path()] = true;
  owed_.push_back(fix);
  ASSIGN_OR_RETURN(std::string commit, CommitAndPush(c->name + ": " + what));
  return PushedChange{what, c->key(), c->path(), commit, false, std::chrono::steady_clock::now(),
                      fix.rejections_before};
}

Result<PushedChange> FleetWriter::Fix(const OwedFix& fix) {
  Write(fix.path, fix.content);
  busy_.erase(fix.path);
  ASSIGN_OR_RETURN(std::string commit, CommitAndPush("fix " + fix.path));
  ++counts_["fix"];
  return PushedChange{"fix", fix.key, fix.path, commit, true, std::chrono::steady_clock::now()};
}

Result<std::string> FleetWriter::CommitAndPush(const std::string& message) {
  std::lock_guard lock(*push_mu_);
  auto committed = Sh("cd " + work_ + " && git add -A && git -c user.name='Ada Lovelace' "
                      "-c user.email=ada@example.com commit -q -m '" + message + "'");
  if (committed.code != 0) return Status::Internal("git commit: " + committed.out);
  // A controller may move main between our pull and our push: pull again, as a person would.
  for (int attempt = 0; attempt < 30; ++attempt) {
    auto pulled = Sh("cd " + work_ + " && git pull -q --rebase origin main");
    if (pulled.code != 0) return Status::Internal("git pull --rebase: " + pulled.out);
    if (Sh("cd " + work_ + " && git push -q origin HEAD:main").code == 0) {
      auto head = Sh("git -C " + work_ + " rev-parse HEAD");
      return head.out.substr(0, 40);
    }
  }
  return Status::Internal("git push kept losing the race for main");
}

std::string FleetWriter::Read(const std::string& path) const {
  std::ifstream in(work_ + "/" + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void FleetWriter::Write(const std::string& path, const std::string& content) const {
  fs::create_directories(fs::path(work_ + "/" + path).parent_path());
  std::ofstream(work_ + "/" + path) << content;
}

}  // namespace strata::chaos
