#include "agents/agent/notice_listener.h"

#include <spdlog/spdlog.h>

#include "core/slice_notice.h"

namespace strata::agent {

Result<std::unique_ptr<NoticeListener>> NoticeListener::Start(
    const KafkaProperties& kafka, const std::string& satellite,
    std::function<void(const std::string&)> on_notice) {
  KafkaProperties properties = GroupMemberDefaults();
  properties.insert(properties.end(), kafka.begin(), kafka.end());
  // Only notices from now on matter, and nothing is ever replayed: no offsets to keep.
  properties.push_back({"group.id", "strata-agent-" + satellite});
  properties.push_back({"auto.offset.reset", "latest"});
  properties.push_back({"enable.auto.commit", "false"});
  properties.push_back({"fetch.wait.max.ms", "10"});
  properties.push_back({"topic.metadata.refresh.interval.ms", "5000"});
  ASSIGN_OR_RETURN(KafkaConfPtr conf, MakeKafkaConf(properties));
  char error[512];
  std::unique_ptr<NoticeListener> listener(new NoticeListener());
  listener->consumer_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), error, sizeof error));
  if (listener->consumer_ == nullptr) return Status::InvalidArgument(std::string("kafka consumer: ") + error);
  conf.release();  // rd_kafka_new owns it once it succeeded
  rd_kafka_poll_set_consumer(listener->consumer_.get());
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, std::string(kSatellitesTopic).c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(listener->consumer_.get(), topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable(std::string("subscribing to strata.satellites: ") + rd_kafka_err2str(err));
  }
  listener->satellite_ = satellite;
  listener->on_notice_ = std::move(on_notice);
  listener->thread_ = std::thread([l = listener.get()] { l->Loop(); });
  return listener;
}

NoticeListener::~NoticeListener() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (consumer_ != nullptr) rd_kafka_consumer_close(consumer_.get());
}

void NoticeListener::Loop() {
  while (!stop_) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_.get(), 100);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR && message->key != nullptr &&
        std::string_view(static_cast<const char*>(message->key), message->key_len) == satellite_) {
      Result<SliceNotice> notice = DecodeSliceNotice(
          std::string_view(static_cast<const char*>(message->payload), message->len));
      if (notice.ok() && notice->satellite == satellite_) {
        ++notices_;
        on_notice_(notice->commit);
      }
    }
    rd_kafka_message_destroy(message);
  }
}

}  // namespace strata::agent
