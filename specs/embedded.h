// Files built into the strata binary, so that it works from any directory: the JSON Schemas of
// schema/, the example fleet of examples/fleet/ and the dashboard's page
// (reconciler/dashboard/assets/). Generated at build time by
// cmake/EmbedFiles.cmake; paths are relative to those folders.
#pragma once

#include <string_view>
#include <vector>

namespace strata {

struct EmbeddedFile {
  std::string_view path;     // "v1alpha1/kafkacluster.json", "tenants/acme/kafka/orders.yaml"
  std::string_view content;
};

const std::vector<EmbeddedFile>& EmbeddedSchemas();
const std::vector<EmbeddedFile>& EmbeddedExampleFleet();
const std::vector<EmbeddedFile>& EmbeddedDashboard();

}  // namespace strata
