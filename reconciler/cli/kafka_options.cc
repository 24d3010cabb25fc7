#include "reconciler/cli/kafka_options.h"

namespace strata::cli {

void AddKafkaOptions(CLI::App* cmd, const std::shared_ptr<KafkaOptions>& options) {
  cmd->add_option("--kafka", options->bootstrap, "Kafka bootstrap servers, HOST:PORT[,…]");
  cmd->add_option("--kafka-config", options->config_file,
                  "A file of librdkafka properties (key=value lines: TLS, SASL, …)");
}

Result<KafkaProperties> ResolveKafkaProperties(const KafkaOptions& options) {
  KafkaProperties properties;
  if (!options.config_file.empty()) {
    ASSIGN_OR_RETURN(properties, LoadKafkaConfigFile(options.config_file));
  }
  if (!options.bootstrap.empty()) properties.emplace_back("bootstrap.servers", options.bootstrap);
  bool has_bootstrap = false;
  for (const auto& [key, value] : properties) has_bootstrap |= key == "bootstrap.servers";
  if (!has_bootstrap) {
    return Status::InvalidArgument(
        "no Kafka to talk to: pass --kafka HOST:PORT or bootstrap.servers in --kafka-config");
  }
  return properties;
}

}  // namespace strata::cli
