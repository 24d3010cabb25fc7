#include "examples/generator/fleet_generator.h"

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "core/git.h"
#include "specs/embedded.h"

namespace strata::examples {
namespace {

// splitmix64: small, fast, and the same on every platform (std distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }

 private:
  uint64_t state_;
};

struct Place {
  const char* cloud;
  const char* region;
  bool eu;
};
// The regions that have a satellite in the example fleet.
constexpr Place kPlaces[] = {{"aws", "us-west-2", false},   {"aws", "us-east-1", false},
                             {"aws", "eu-central-1", true}, {"gcp", "us-central1", false},
                             {"gcp", "europe-west1", true}, {"azure", "eastus", false},
                             {"azure", "westeurope", true}};

std::string Name(const char* prefix, int n, int width) {
  std::string digits = std::to_string(n);
  if (static_cast<int>(digits.size()) < width) {
    digits.insert(0, static_cast<size_t>(width) - digits.size(), '0');
  }
  return std::string(prefix) + "-" + digits;
}

std::string Modeline(int depth, const char* schema) {
  std::string up;
  for (int i = 0; i < depth; ++i) up += "../";
  return "# yaml-language-server: $schema=" + up + ".strata/schema/v1alpha1/" + schema + ".json\n";
}

// Raises the number after `field` in `text` to at least `at_least`.
void ScaleCapacity(std::string* text, const std::string& field, int at_least) {
  size_t at = text->find(field);
  if (at == std::string::npos) return;
  at += field.size();
  size_t end = text->find('\n', at);
  if (std::stoi(text->substr(at, end - at)) < at_least) {
    text->replace(at, end - at, std::to_string(at_least));
  }
}

}  // namespace

std::map<std::string, std::string> GenerateFleetFiles(const FleetShape& shape) {
  std::map<std::string, std::string> files;
  for (const auto& f : EmbeddedExampleFleet()) {
    std::string path(f.path);
    if (path.rfind("policy/skus/", 0) == 0) files[path] = std::string(f.content);
    if (path.rfind("policy/satellites/", 0) == 0) {
      // The example's satellites, with room for a fleet of this size.
      std::string text(f.content);
      ScaleCapacity(&text, "maxK8sClusters: ", shape.clusters / 20);
      ScaleCapacity(&text, "maxNodes: ", shape.clusters * 3);
      files[path] = std::move(text);
    }
  }
  for (const auto& f : EmbeddedSchemas()) {
    files[".strata/schema/" + std::string(f.path)] = std::string(f.content);
  }
  Rng rng(shape.seed);
  int orgs = std::max(1, shape.orgs);
  int width = std::max(4, static_cast<int>(std::to_string(shape.clusters).size()));
  std::vector<bool> eu(static_cast<size_t>(orgs));
  std::vector<int> cluster_count(static_cast<size_t>(orgs), 0);
  std::vector<int> cku_total(static_cast<size_t>(orgs), 0);
  const int dedicated_tenths = std::clamp(shape.dedicated_percent / 10, 0, 10);

  for (int i = 0; i < shape.clusters; ++i) {
    int org_index = rng.Below(orgs);
    std::string org = Name("org", org_index, 5);
    eu[static_cast<size_t>(org_index)] = org_index % 10 == 3;
    const Place* place = nullptr;
    do {
      place = &kPlaces[rng.Below(static_cast<int>(std::size(kPlaces)))];
    } while (eu[static_cast<size_t>(org_index)] && !place->eu);
    int roll = rng.Below(10);
    const char* sku = roll >= 10 - dedicated_tenths ? "dedicated" : roll < 5 ? "basic" : "standard";
    std::string name = Name("c", i, width);
    std::string body = Modeline(3, "kafkacluster") +
                       "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: " +
                       name + "\n  org: " + org + "\nspec:\n  sku: " + sku +
                       "\n  cloud: " + place->cloud + "\n  region: " + place->region + "\n";
    if (std::string(sku) == "dedicated") {
      int cku = 1 + rng.Below(8);
      cku_total[static_cast<size_t>(org_index)] += cku;
      body += std::string("  availability: ") + (cku >= 2 ? "multi-zone" : "single-zone") +
              "\n  cku: " + std::to_string(cku) + "\n";
      if (rng.Below(10) == 0) {
        std::string net = name + "-pl";
        body += "  network: " + net + "\n";
        files["tenants/" + org + "/networks/" + net + ".yaml"] =
            Modeline(3, "network") + "apiVersion: strata.dev/v1alpha1\nkind: Network\nmetadata:\n  name: " +
            net + "\n  org: " + org + "\nspec:\n  type: privatelink\n  cloud: " + place->cloud +
            "\n  region: " + place->region + "\n";
      }
    } else {
      body += std::string("  availability: ") + (roll % 2 == 0 ? "multi-zone" : "single-zone") + "\n";
    }
    files["tenants/" + org + "/kafka/" + name + ".yaml"] = std::move(body);
    ++cluster_count[static_cast<size_t>(org_index)];
  }
  for (int o = 0; o < orgs; ++o) {
    if (cluster_count[static_cast<size_t>(o)] == 0) continue;
    std::string org = Name("org", o, 5);
    files["policy/orgs/" + org + ".yaml"] =
        Modeline(2, "orgpolicy") + "apiVersion: strata.dev/v1alpha1\nkind: OrgPolicy\nmetadata:\n  name: " +
        org + "\nspec:\n  dataResidency: " + (eu[static_cast<size_t>(o)] ? "eu" : "any") +
        "\n  allowedSkus:\n    - basic\n    - standard\n    - dedicated\n  quotas:\n    maxClusters: " +
        std::to_string(cluster_count[static_cast<size_t>(o)] + 10) +
        "\n    maxTotalCku: " + std::to_string(cku_total[static_cast<size_t>(o)] + 20) + "\n";
  }
  return files;
}

Result<GeneratedFleet> WriteFleetToRepo(const std::string& repo_path, const FleetShape& shape,
                                        const std::string& branch, bool bare) {
  std::optional<Repository> repo;
  if (std::filesystem::exists(repo_path)) {
    ASSIGN_OR_RETURN(Repository opened, Repository::Open(repo_path));
    repo.emplace(std::move(opened));
  } else {
    ASSIGN_OR_RETURN(Repository created, Repository::Init(repo_path, bare, branch));
    repo.emplace(std::move(created));
  }
  std::map<std::string, std::string> files = GenerateFleetFiles(shape);

  // Every object goes to an in-memory backend first, then out as a single pack.
  git_odb* odb_raw = nullptr;
  if (int rc = git_repository_odb(&odb_raw, repo->raw()); rc < 0) return GitError(rc, "opening odb");
  OdbPtr odb(odb_raw);
  git_odb_backend* mempack = nullptr;
  if (int rc = git_mempack_new(&mempack); rc < 0) return GitError(rc, "creating mempack");
  if (int rc = git_odb_add_backend(odb.get(), mempack, 1000); rc < 0) {
    return GitError(rc, "adding mempack");
  }
  ASSIGN_OR_RETURN(git_oid tree, repo->WriteTree(files));

  std::vector<git_oid> parents;
  std::string ref = "refs/heads/" + branch;
  if (Result<git_oid> head = repo->ResolveCommit(ref); head.ok()) parents.push_back(*head);
  char message[128];
  std::snprintf(message, sizeof message,
                "gen: synthetic fleet of %d clusters in %d orgs (seed %llu)\n", shape.clusters,
                shape.orgs, static_cast<unsigned long long>(shape.seed));
  git_oid commit;
  {
    // Commit without moving the ref: the ref may only point at objects already on disk.
    ASSIGN_OR_RETURN(commit, repo->Commit("", tree, parents, message, "strata gen",
                                          "gen@strata.dev"));
  }
  git_buf pack = GIT_BUF_INIT;
  if (int rc = git_mempack_dump(&pack, repo->raw(), mempack); rc < 0) {
    return GitError(rc, "packing objects");
  }
  git_odb_writepack* writer = nullptr;
  int rc = git_odb_write_pack(&writer, odb.get(), nullptr, nullptr);
  git_indexer_progress stats{};
  if (rc >= 0) rc = writer->append(writer, pack.ptr, pack.size, &stats);
  if (rc >= 0) rc = writer->commit(writer, &stats);
  if (writer != nullptr) writer->free(writer);
  git_buf_dispose(&pack);
  if (rc < 0) return GitError(rc, "writing the pack");
  git_mempack_reset(mempack);

  git_reference* ref_raw = nullptr;
  if (rc = git_reference_create(&ref_raw, repo->raw(), ref.c_str(), &commit, 1, "strata gen fleet");
      rc < 0) {
    return GitError(rc, "moving " + ref);
  }
  ReferencePtr moved(ref_raw);
  return GeneratedFleet{OidToHex(commit), files.size()};
}

}  // namespace strata::examples
