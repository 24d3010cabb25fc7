#include "tests/support/controller_lag.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <memory>

#include "core/change_event.h"
#include "reconciler/controllers/registry.h"

namespace strata::testing {

ControllerLag::ControllerLag(const std::string& bootstrap_servers,
                             const std::vector<std::string>& names) {
  for (const auto& c : controllers::MakeAllControllers()) {
    if (!names.empty() && std::find(names.begin(), names.end(), c->info().name) == names.end()) {
      continue;
    }
    Group g;
    for (const std::string& kind : c->info().inputs) g.topics.push_back(DesiredTopic(kind));
    auto conf = MakeKafkaConf({{"bootstrap.servers", bootstrap_servers},
                               {"group.id", "strata-controller-" + c->info().name}});
    char err[256];
    g.handle.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf->release(), err, sizeof err));
    groups_.push_back(std::move(g));
  }
}

bool ControllerLag::CaughtUp() {
  for (Group& g : groups_) {
    if (g.handle == nullptr) return false;
    for (const std::string& topic : g.topics) {
      for (int32_t p = 0; p < 64; ++p) {
        int64_t low = 0, high = 0;
        if (rd_kafka_query_watermark_offsets(g.handle.get(), topic.c_str(), p, &low, &high, 2000) != 0) {
          break;  // no such partition (or topic): nothing to consume there
        }
        if (high == 0) continue;
        std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)>
            list(rd_kafka_topic_partition_list_new(1), &rd_kafka_topic_partition_list_destroy);
        rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
        if (rd_kafka_committed(g.handle.get(), list.get(), 2000) != 0) return false;
        if (list->elems[0].offset < high) return false;
      }
    }
  }
  return true;
}

}  // namespace strata::testing
