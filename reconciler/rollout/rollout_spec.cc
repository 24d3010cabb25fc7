#include "reconciler/rollout/rollout_spec.h"

#include <algorithm>
#include <charconv>

#include "reconciler/rollout/time_text.h"

namespace strata::rollout {
namespace {

std::set<std::string> StringSet(const specs::Node* list) {
  std::set<std::string> out;
  if (list == nullptr) return out;
  for (const specs::Node& item : list->items()) out.insert(item.text());
  return out;
}

std::map<std::string, std::string> StringMap(const specs::Node* map) {
  std::map<std::string, std::string> out;
  if (map == nullptr) return out;
  for (const auto& e : map->entries()) out[e.key] = e.value.text();
  return out;
}

Selector ParseSelector(const specs::Node* node) {
  Selector s;
  if (node == nullptr) return s;
  s.clouds = StringSet(node->Find("clouds"));
  s.regions = StringSet(node->Find("regions"));
  s.skus = StringSet(node->Find("skus"));
  s.orgs = StringSet(node->Find("orgs"));
  s.labels = StringMap(node->Find("labels"));
  return s;
}

// A count or "N%"; nullopt when it is neither (a document the schema has not checked yet).
std::optional<Amount> ParseAmount(const specs::Node* node, int64_t otherwise) {
  Amount a;
  a.count = otherwise;
  if (node == nullptr) return a;
  std::string_view text = node->text();
  bool share = !text.empty() && text.back() == '%';
  if (share) text.remove_suffix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > 1'000'000'000) {
    return std::nullopt;
  }
  if (share) {
    a.percent = static_cast<int>(std::min<int64_t>(value, 1000));
  } else {
    a.count = value;
  }
  return a;
}

}  // namespace

int64_t Amount::Of(int64_t total, bool round_up) const {
  if (percent < 0) return count;
  int64_t scaled = total * percent;
  return round_up ? (scaled + 99) / 100 : scaled / 100;
}

std::string Amount::ToString() const {
  return percent >= 0 ? std::to_string(percent) + "%" : std::to_string(count);
}

ParsedRollout ParseRolloutSpec(const std::string& path, const specs::Node& doc) {
  ParsedRollout parsed;
  RolloutSpec& r = parsed.spec;
  r.path = path;
  r.name = std::string(doc.AtPath("metadata.name") != nullptr ? doc.AtPath("metadata.name")->text()
                                                              : "");
  const specs::Node* spec = doc.Find("spec");
  if (spec == nullptr) return parsed;
  auto error = [&](const specs::Node* at, std::string field, std::string message) {
    EventError e;
    e.file = path;
    e.field = std::move(field);
    e.message = std::move(message);
    if (at != nullptr) {
      e.line = at->mark().line;
      e.column = at->mark().column;
    }
    parsed.errors.push_back(std::move(e));
  };
  if (const specs::Node* change = spec->Find("change"); change != nullptr) {
    r.change.kafka_version = std::string(change->StringAt("kafkaVersion"));
    r.change.config = StringMap(change->Find("config"));
  }
  r.selector = ParseSelector(spec->Find("selector"));
  std::set<std::string> names;
  if (const specs::Node* waves = spec->Find("waves"); waves != nullptr) {
    for (size_t i = 0; i < waves->items().size(); ++i) {
      const specs::Node& w = waves->items()[i];
      std::string field = "spec.waves[" + std::to_string(i) + "]";
      Wave wave;
      wave.name = std::string(w.StringAt("name"));
      if (!names.insert(wave.name).second) {
        error(w.Find("name"), field + ".name", "wave " + wave.name + " is named twice");
      }
      wave.selector = ParseSelector(w.Find("selector"));
      if (const specs::Node* p = w.Find("percent"); p != nullptr) {
        wave.percent = static_cast<int>(p->as_int());
      }
      std::optional<Amount> concurrent = ParseAmount(w.Find("maxConcurrent"), 1);
      std::optional<Amount> failures = ParseAmount(w.Find("maxFailures"), 0);
      if (!concurrent.has_value()) {
        error(w.Find("maxConcurrent"), field + ".maxConcurrent", "a count or a share like \"25%\"");
      }
      if (!failures.has_value()) {
        error(w.Find("maxFailures"), field + ".maxFailures", "a count or a share like \"5%\"");
      }
      wave.max_concurrent = concurrent.value_or(Amount{1, -1});
      wave.max_failures = failures.value_or(Amount{0, -1});
      if (wave.max_concurrent.percent == 0) {
        error(w.Find("maxConcurrent"), field + ".maxConcurrent",
              "0% would never change a cluster; give at least 1%");
      }
      if (wave.max_concurrent.percent > 100 || wave.max_failures.percent > 100) {
        error(w.Find(wave.max_concurrent.percent > 100 ? "maxConcurrent" : "maxFailures"), field,
              "a share is at most 100%");
      }
      if (const specs::Node* soak = w.Find("soak"); soak != nullptr) {
        std::optional<int64_t> ms = ParseDurationMillis(soak->text());
        if (!ms.has_value()) {
          error(soak, field + ".soak", "a duration like 30s, 10m or 2h, not " + soak->text());
        } else {
          wave.soak_ms = *ms;
        }
      }
      if (const specs::Node* a = w.Find("requiresApproval"); a != nullptr) {
        wave.requires_approval = a->as_bool();
      }
      r.waves.push_back(std::move(wave));
    }
  }
  std::string_view state = spec->StringAt("state");
  r.state = state == "paused"    ? RequestedState::kPaused
            : state == "aborted" ? RequestedState::kAborted
                                 : RequestedState::kRunning;
  if (const specs::Node* approved = spec->Find("approvedWaves"); approved != nullptr) {
    for (size_t i = 0; i < approved->items().size(); ++i) {
      const std::string& name = approved->items()[i].text();
      if (names.count(name) == 0) {
        error(&approved->items()[i], "spec.approvedWaves[" + std::to_string(i) + "]",
              "no wave named " + name + " in this rollout");
      }
      r.approved_waves.insert(name);
    }
  }
  if (const specs::Node* ack = spec->Find("acknowledgedFailures"); ack != nullptr) {
    r.acknowledged_failures = ack->as_int();
  }
  return parsed;
}

std::string DescribeChange(const Settings& change) {
  std::string out;
  if (!change.kafka_version.empty()) out = "kafkaVersion → " + change.kafka_version;
  for (const auto& [k, v] : change.config) {
    out += (out.empty() ? "config " : ", config ") + k + "=" + v;
  }
  return out;
}

}  // namespace strata::rollout
