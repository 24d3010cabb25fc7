#include "core/resource_status.h"

#include <chrono>
#include <ctime>

#include <nlohmann/json.hpp>

namespace strata {

std::string NowRfc3339Millis() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string EncodeResourceStatus(const ResourceStatus& s) {
  nlohmann::ordered_json data;
  data["satellite"] = s.satellite;
  if (!s.k8s_cluster.empty()) data["k8sCluster"] = s.k8s_cluster;
  if (!s.source.empty()) data["source"] = s.source;
  data["sliceCommit"] = s.slice_commit;
  data["fleetCommit"] = s.fleet_commit;
  if (!s.computed_at.empty()) data["computedAt"] = s.computed_at;
  if (!s.release.empty()) data["release"] = s.release;
  data["phase"] = s.phase;
  if (s.brokers_desired != 0 || s.brokers_ready != 0 || s.brokers_updated != 0) {
    data["brokersReady"] = s.brokers_ready;
    data["brokersDesired"] = s.brokers_desired;
    data["brokersUpdated"] = s.brokers_updated;
  }
  if (!s.version.empty()) data["version"] = s.version;
  if (!s.endpoint.empty()) data["endpoint"] = s.endpoint;
  if (s.resources != 0) data["resources"] = s.resources;
  nlohmann::ordered_json conditions = nlohmann::ordered_json::array();
  for (const StatusCondition& c : s.conditions) {
    conditions.push_back({{"type", c.type}, {"status", c.status ? "True" : "False"},
                          {"reason", c.reason}, {"message", c.message}});
  }
  data["conditions"] = std::move(conditions);
  nlohmann::ordered_json event;
  event["specversion"] = "1.0";
  event["id"] = s.reporter + ":" + s.key + ":" + s.observed_at;
  event["source"] = "/strata/" + s.reporter;
  event["type"] = kStatusObservedType;
  event["subject"] = s.key;
  event["time"] = s.observed_at;
  event["datacontenttype"] = "application/json";
  event["data"] = std::move(data);
  return event.dump();
}

namespace {

// The string `field` of `object`, or empty when it is missing or of another type (json::value
// would throw on the latter, and these bytes come from anyone who can write to the topic).
std::string StringOrEmpty(const nlohmann::json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<ResourceStatus> DecodeResourceStatus(std::string_view text) {
  nlohmann::json event = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object()) return Status::InvalidArgument("a status event must be a JSON object");
  if (StringOrEmpty(event, "type") != kStatusObservedType) {
    return Status::NotFound("not a " + std::string(kStatusObservedType) + " event");
  }
  auto data = event.find("data");
  if (data == event.end() || !data->is_object()) return Status::InvalidArgument("a status event needs a data object");
  auto str = [&](const char* field) { return StringOrEmpty(*data, field); };
  auto num = [&](const char* field) {
    auto it = data->find(field);
    return it != data->end() && it->is_number_integer() ? it->get<int>() : 0;
  };
  ResourceStatus s;
  if (!event.contains("subject") || !event["subject"].is_string()) {
    return Status::InvalidArgument("a status event needs a string subject");
  }
  s.key = event["subject"].get<std::string>();
  s.observed_at = StringOrEmpty(event, "time");
  std::string source = StringOrEmpty(event, "source");
  s.reporter = source.rfind("/strata/", 0) == 0 ? source.substr(8) : source;
  s.satellite = str("satellite");
  s.k8s_cluster = str("k8sCluster");
  s.source = str("source");
  s.slice_commit = str("sliceCommit");
  s.fleet_commit = str("fleetCommit");
  s.computed_at = str("computedAt");
  s.release = str("release");
  s.phase = str("phase");
  if (s.phase.empty()) return Status::InvalidArgument("a status event needs data.phase");
  s.brokers_ready = num("brokersReady");
  s.brokers_desired = num("brokersDesired");
  s.brokers_updated = num("brokersUpdated");
  s.version = str("version");
  s.endpoint = str("endpoint");
  s.resources = num("resources");
  if (auto c = data->find("conditions"); c != data->end() && c->is_array()) {
    for (const auto& item : *c) {
      if (!item.is_object()) continue;
      bool status = !item.contains("status") || StringOrEmpty(item, "status") == "True";
      s.conditions.push_back({StringOrEmpty(item, "type"), status, StringOrEmpty(item, "reason"),
                              StringOrEmpty(item, "message")});
    }
  }
  return s;
}

}  // namespace strata
