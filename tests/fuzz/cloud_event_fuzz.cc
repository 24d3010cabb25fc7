// libFuzzer target: the desired-state CloudEvents every consumer reads back from Kafka (anyone who
// can produce to a strata.desired.* topic controls these bytes). Any bytes through
// DecodeCloudEvent must neither crash nor hang, and what decodes must survive the round trip:
// EncodeCloudEvent of it decodes again, to the same event.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <tuple>

#include "core/change_event.h"

namespace {

using strata::ChangeEvent;
using strata::EventError;

bool SameErrors(const std::vector<EventError>& a, const std::vector<EventError>& b) {
  auto fields = [](const EventError& e) {
    return std::tie(e.file, e.line, e.column, e.field, e.message);
  };
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (fields(a[i]) != fields(b[i])) return false;
  }
  return true;
}

// The first field in which `a` and `b` differ, or nullptr when they are the same event.
const char* FirstDifference(const ChangeEvent& a, const ChangeEvent& b) {
  auto attributes = [](const ChangeEvent& e) {
    return std::tie(e.type, e.key, e.kind, e.path, e.source, e.branch, e.commit, e.parent, e.author,
                    e.time, e.sequence, e.controller, e.causes);
  };
  if (attributes(a) != attributes(b)) return "an attribute";
  if (a.spec != b.spec) return "spec";
  if (!SameErrors(a.errors, b.errors)) return "errors";
  return nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  strata::Result<ChangeEvent> event = strata::DecodeCloudEvent(bytes);
  if (!event.ok()) return 0;
  std::string encoded = strata::EncodeCloudEvent(*event);
  strata::Result<ChangeEvent> again = strata::DecodeCloudEvent(encoded);
  if (!again.ok()) {
    std::fprintf(stderr, "the re-encoded event does not decode: %s\n%s\n",
                 again.status().ToString().c_str(), encoded.c_str());
    std::abort();
  }
  if (const char* field = FirstDifference(*event, *again)) {
    std::fprintf(stderr, "the round trip changes %s:\n%s\n---\n%s\n", field, encoded.c_str(),
                 strata::EncodeCloudEvent(*again).c_str());
    std::abort();
  }
  return 0;
}
