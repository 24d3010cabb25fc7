// The Kafka options every long-running command shares: `--kafka HOST:PORT` and
// `--kafka-config FILE` (librdkafka properties, one key=value per line, for TLS, SASL and the rest).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "core/kafka.h"
#include "core/status.h"

namespace strata::cli {

struct KafkaOptions {
  std::string bootstrap;
  std::string config_file;
};

// Registers --kafka and --kafka-config on `cmd`.
void AddKafkaOptions(CLI::App* cmd, const std::shared_ptr<KafkaOptions>& options);

// The librdkafka properties the options name (the file first, --kafka over it).
// kInvalidArgument when neither gives bootstrap.servers; file errors as LoadKafkaConfigFile.
Result<KafkaProperties> ResolveKafkaProperties(const KafkaOptions& options);

}  // namespace strata::cli
