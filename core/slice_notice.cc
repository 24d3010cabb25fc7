#include "core/slice_notice.h"

#include <nlohmann/json.hpp>

namespace strata {

std::string EncodeSliceNotice(const SliceNotice& notice) {
  nlohmann::ordered_json j;
  j["satellite"] = notice.satellite;
  j["commit"] = notice.commit;
  j["cause"] = notice.cause;
  return j.dump();
}

Result<SliceNotice> DecodeSliceNotice(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("a slice notice must be a JSON object");
  SliceNotice notice;
  for (auto [field, out] : {std::pair{"satellite", &notice.satellite},
                            std::pair{"commit", &notice.commit}, std::pair{"cause", &notice.cause}}) {
    auto it = j.find(field);
    if (it == j.end() || !it->is_string()) {
      return Status::InvalidArgument(std::string("a slice notice needs a string \"") + field + "\"");
    }
    *out = it->get<std::string>();
  }
  return notice;
}

}  // namespace strata
