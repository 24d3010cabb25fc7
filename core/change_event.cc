#include "core/change_event.h"

#include <cctype>
#include <ctime>

namespace strata {
namespace {

constexpr std::string_view kUpsertedType = "dev.strata.resource.upserted";
constexpr std::string_view kDeletedType = "dev.strata.resource.deleted";
constexpr std::string_view kRejectedType = "dev.strata.resource.rejected";
constexpr std::string_view kAcceptedType = "dev.strata.resource.accepted";

// The string attribute `name` of `object`, or kInvalidArgument naming it.
Result<std::string> RequiredString(const nlohmann::json& object, const char* name,
                                   std::string_view where) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return Status::InvalidArgument("cloud event: " + std::string(where) + name +
                                   " is missing or not a string");
  }
  return it->get<std::string>();
}

std::string OptionalString(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string_view ChangeTypeName(ChangeType type) {
  switch (type) {
    case ChangeType::kUpserted:
      return kUpsertedType;
    case ChangeType::kDeleted:
      return kDeletedType;
    case ChangeType::kRejected:
      return kRejectedType;
    case ChangeType::kAccepted:
      return kAcceptedType;
  }
  return kUpsertedType;
}

Result<ChangeType> ParseChangeType(std::string_view name) {
  if (name == kUpsertedType) return ChangeType::kUpserted;
  if (name == kDeletedType) return ChangeType::kDeleted;
  if (name == kRejectedType) return ChangeType::kRejected;
  if (name == kAcceptedType) return ChangeType::kAccepted;
  return Status::InvalidArgument("cloud event: unknown type '" + std::string(name) + "'");
}

std::string DesiredTopic(std::string_view kind) {
  std::string topic = "strata.desired.";
  for (char c : kind) topic += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return topic;
}

std::string FormatRfc3339Utc(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string EncodeCloudEvent(const ChangeEvent& event) {
  nlohmann::ordered_json data;
  data["path"] = event.path;
  data["kind"] = event.kind;
  data["branch"] = event.branch;
  data["commit"] = event.commit;
  data["parent"] = event.parent;
  data["author"] = event.author;
  data["sequence"] = event.sequence;
  if (!event.controller.empty()) data["controller"] = event.controller;
  if (!event.causes.empty()) data["causes"] = event.causes;
  if (event.type == ChangeType::kUpserted) data["spec"] = event.spec;
  if (event.type == ChangeType::kRejected) {
    nlohmann::ordered_json errors = nlohmann::ordered_json::array();
    for (const EventError& e : event.errors) {
      errors.push_back({{"file", e.file},
                        {"line", e.line},
                        {"column", e.column},
                        {"field", e.field},
                        {"message", e.message}});
    }
    data["errors"] = std::move(errors);
  }
  nlohmann::ordered_json envelope;
  envelope["specversion"] = "1.0";
  envelope["id"] = event.id();
  envelope["source"] = event.source;
  envelope["type"] = ChangeTypeName(event.type);
  envelope["subject"] = event.key;
  envelope["time"] = event.time;
  envelope["datacontenttype"] = "application/json";
  envelope["data"] = std::move(data);
  return envelope.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<ChangeEvent> DecodeCloudEvent(std::string_view json) {
  nlohmann::json envelope = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (envelope.is_discarded() || !envelope.is_object()) {
    return Status::InvalidArgument("cloud event: not a JSON object");
  }
  ASSIGN_OR_RETURN(std::string specversion, RequiredString(envelope, "specversion", ""));
  if (specversion != "1.0") {
    return Status::InvalidArgument("cloud event: specversion '" + specversion + "' is not 1.0");
  }
  ChangeEvent event;
  ASSIGN_OR_RETURN(std::string id, RequiredString(envelope, "id", ""));
  ASSIGN_OR_RETURN(event.source, RequiredString(envelope, "source", ""));
  ASSIGN_OR_RETURN(std::string type, RequiredString(envelope, "type", ""));
  ASSIGN_OR_RETURN(event.type, ParseChangeType(type));
  ASSIGN_OR_RETURN(event.key, RequiredString(envelope, "subject", ""));
  event.time = OptionalString(envelope, "time");
  auto data_it = envelope.find("data");
  if (data_it == envelope.end() || !data_it->is_object()) {
    return Status::InvalidArgument("cloud event: data is missing or not an object");
  }
  const nlohmann::json& data = *data_it;
  ASSIGN_OR_RETURN(event.path, RequiredString(data, "path", "data."));
  ASSIGN_OR_RETURN(event.kind, RequiredString(data, "kind", "data."));
  ASSIGN_OR_RETURN(event.commit, RequiredString(data, "commit", "data."));
  event.branch = OptionalString(data, "branch");
  event.parent = OptionalString(data, "parent");
  event.author = OptionalString(data, "author");
  event.controller = OptionalString(data, "controller");
  auto seq = data.find("sequence");
  if (seq == data.end() || !seq->is_number_unsigned()) {
    return Status::InvalidArgument("cloud event: data.sequence is missing or not a number");
  }
  event.sequence = seq->get<uint64_t>();
  if (auto causes = data.find("causes"); causes != data.end() && causes->is_array()) {
    for (const auto& c : *causes) {
      if (c.is_string()) event.causes.push_back(c.get<std::string>());
    }
  }
  if (event.type == ChangeType::kUpserted) {
    auto spec = data.find("spec");
    if (spec == data.end() || !spec->is_object()) {
      return Status::InvalidArgument("cloud event: data.spec is missing on an upserted event");
    }
    event.spec = *spec;
  }
  // Only a rejection carries errors (EncodeCloudEvent writes them for no other type), so a
  // re-published event says what the one read said.
  auto errors = event.type == ChangeType::kRejected ? data.find("errors") : data.end();
  if (errors != data.end() && errors->is_array()) {
    for (const auto& e : *errors) {
      if (!e.is_object()) continue;
      EventError error;
      error.file = OptionalString(e, "file");
      error.field = OptionalString(e, "field");
      error.message = OptionalString(e, "message");
      if (auto l = e.find("line"); l != e.end() && l->is_number_integer()) error.line = l->get<int>();
      if (auto c = e.find("column"); c != e.end() && c->is_number_integer()) {
        error.column = c->get<int>();
      }
      event.errors.push_back(std::move(error));
    }
  }
  if (id != event.id()) {
    return Status::InvalidArgument("cloud event: id '" + id + "' is not data.commit:data.path");
  }
  return event;
}

}  // namespace strata
