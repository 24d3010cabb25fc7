// libFuzzer target: the other records read back from Kafka, the agents' status events
// (strata.status) and the slice notices that wake agents (strata.satellites). Each input goes
// through both decoders, as a record on the wrong topic would: neither may crash or hang, and
// what decodes re-encodes to a fixed point (encode → decode → encode gives the same bytes).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/resource_status.h"
#include "core/slice_notice.h"

namespace {

// Aborts unless decode(encode(first)) encodes to the same bytes as `first` did.
template <class Record, class Decode, class Encode>
void CheckFixedPoint(const char* what, const Record& first, Decode decode, Encode encode) {
  std::string once = encode(first);
  strata::Result<Record> again = decode(once);
  if (!again.ok()) {
    std::fprintf(stderr, "a re-encoded %s does not decode: %s\n%s\n", what,
                 again.status().ToString().c_str(), once.c_str());
    std::abort();
  }
  std::string twice = encode(*again);
  if (once != twice) {
    std::fprintf(stderr, "the %s encoding is not a fixed point:\n%s\n---\n%s\n", what, once.c_str(),
                 twice.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto status = strata::DecodeResourceStatus(bytes); status.ok()) {
    CheckFixedPoint("status event", *status, strata::DecodeResourceStatus,
                    strata::EncodeResourceStatus);
  }
  if (auto notice = strata::DecodeSliceNotice(bytes); notice.ok()) {
    CheckFixedPoint("slice notice", *notice, strata::DecodeSliceNotice, strata::EncodeSliceNotice);
  }
  return 0;
}
