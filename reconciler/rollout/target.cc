#include "reconciler/rollout/target.h"

#include <cstdio>

#include "reconciler/rollout/time_text.h"

namespace strata::rollout {
namespace {

specs::Node SettingsNode(const Settings& s) {
  specs::Node node = specs::Node::Map();
  if (!s.kafka_version.empty()) node.Set("kafkaVersion", specs::Node::String(s.kafka_version));
  if (!s.config.empty()) {
    specs::Node config = specs::Node::Map();
    for (const auto& [k, v] : s.config) config.Set(k, specs::Node::String(v));
    node.Set("config", std::move(config));
  }
  return node;
}

Settings SettingsFrom(const specs::Node* node) {
  Settings s;
  if (node == nullptr) return s;
  s.kafka_version = std::string(node->StringAt("kafkaVersion"));
  if (const specs::Node* config = node->Find("config"); config != nullptr) {
    for (const auto& e : config->entries()) s.config[e.key] = e.value.text();
  }
  return s;
}

}  // namespace

std::string_view TargetPhaseName(TargetPhase phase) {
  switch (phase) {
    case TargetPhase::kInProgress:
      return "InProgress";
    case TargetPhase::kDone:
      return "Done";
    case TargetPhase::kFailed:
      return "Failed";
    case TargetPhase::kReverted:
      return "Reverted";
  }
  return "InProgress";
}

std::string ReleaseToken(const std::string& rollout, const Settings& settings, bool revert) {
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  auto mix = [&](std::string_view text) {
    for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    hash = (hash ^ 0xffU) * 1099511628211ULL;
  };
  mix(settings.kafka_version);
  for (const auto& [k, v] : settings.config) {
    mix(k);
    mix(v);
  }
  char tag[10];
  std::snprintf(tag, sizeof tag, "%08x", static_cast<unsigned>(hash & 0xffffffffU));
  return rollout + (revert ? "-revert-" : "-") + tag;
}

specs::Node TargetSpec(const Target& t) {
  specs::Node spec = specs::Node::Map();
  spec.Set("cluster", specs::Node::String(t.cluster));
  spec.Set("rollout", specs::Node::String(t.rollout));
  spec.Set("wave", specs::Node::String(t.wave));
  spec.Set("release", specs::Node::String(t.release));
  specs::Node settings = SettingsNode(t.settings);
  for (auto& e : settings.entries()) spec.Set(e.key, std::move(e.value));
  specs::Node previous = SettingsNode(t.previous);
  if (!previous.entries().empty()) spec.Set("previous", std::move(previous));
  spec.Set("phase", specs::Node::String(std::string(TargetPhaseName(t.phase))));
  spec.Set("releasedAt", specs::Node::String(FormatMillis(t.released_at_ms)));
  if (t.done_at_ms != 0) spec.Set("doneAt", specs::Node::String(FormatMillis(t.done_at_ms)));
  if (!t.reason.empty()) spec.Set("reason", specs::Node::String(t.reason.substr(0, 1000)));
  return spec;
}

std::optional<Target> TargetFromDoc(const std::string& path, const specs::Node& doc) {
  const specs::Node* spec = doc.Find("spec");
  if (spec == nullptr || doc.StringAt("kind") != "RolloutTarget") return std::nullopt;
  Target t;
  t.path = path;
  t.cluster = std::string(spec->StringAt("cluster"));
  t.rollout = std::string(spec->StringAt("rollout"));
  t.wave = std::string(spec->StringAt("wave"));
  t.release = std::string(spec->StringAt("release"));
  t.settings = SettingsFrom(spec);
  t.previous = SettingsFrom(spec->Find("previous"));
  std::string_view phase = spec->StringAt("phase");
  t.phase = phase == "Done"       ? TargetPhase::kDone
            : phase == "Failed"   ? TargetPhase::kFailed
            : phase == "Reverted" ? TargetPhase::kReverted
                                  : TargetPhase::kInProgress;
  t.released_at_ms = ParseMillis(spec->StringAt("releasedAt")).value_or(0);
  t.done_at_ms = ParseMillis(spec->StringAt("doneAt")).value_or(0);
  t.reason = std::string(spec->StringAt("reason"));
  if (t.cluster.empty() || t.rollout.empty()) return std::nullopt;
  return t;
}

Settings Overlay(const Settings& base, const Settings& managed) {
  Settings out = base;
  if (!managed.kafka_version.empty()) out.kafka_version = managed.kafka_version;
  for (const auto& [k, v] : managed.config) out.config[k] = v;
  return out;
}

bool Satisfies(const Settings& have, const Settings& change) {
  if (!change.kafka_version.empty() && have.kafka_version != change.kafka_version) return false;
  for (const auto& [k, v] : change.config) {
    auto it = have.config.find(k);
    if (it == have.config.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace strata::rollout
