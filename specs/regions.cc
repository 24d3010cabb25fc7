#include "specs/regions.h"

namespace strata::specs {

const std::vector<Region>& AllRegions() {
  static const std::vector<Region> regions = {
      {"aws", "us-east-1", Geography::kUs},          {"aws", "us-east-2", Geography::kUs},
      {"aws", "us-west-1", Geography::kUs},          {"aws", "us-west-2", Geography::kUs},
      {"aws", "eu-central-1", Geography::kEu},       {"aws", "eu-west-1", Geography::kEu},
      {"aws", "eu-west-2", Geography::kOther},       {"aws", "eu-west-3", Geography::kEu},
      {"aws", "eu-north-1", Geography::kEu},         {"aws", "ap-southeast-1", Geography::kOther},
      {"aws", "ap-northeast-1", Geography::kOther},  {"aws", "ap-south-1", Geography::kOther},
      {"gcp", "us-central1", Geography::kUs},        {"gcp", "us-east1", Geography::kUs},
      {"gcp", "us-east4", Geography::kUs},           {"gcp", "us-west1", Geography::kUs},
      {"gcp", "europe-west1", Geography::kEu},       {"gcp", "europe-west3", Geography::kEu},
      {"gcp", "europe-west4", Geography::kEu},       {"gcp", "asia-southeast1", Geography::kOther},
      {"gcp", "asia-northeast1", Geography::kOther}, {"azure", "eastus", Geography::kUs},
      {"azure", "eastus2", Geography::kUs},          {"azure", "westus2", Geography::kUs},
      {"azure", "centralus", Geography::kUs},        {"azure", "westeurope", Geography::kEu},
      {"azure", "northeurope", Geography::kEu},      {"azure", "germanywestcentral", Geography::kEu},
      {"azure", "southeastasia", Geography::kOther}, {"azure", "uksouth", Geography::kOther},
  };
  return regions;
}

const Region* FindRegion(std::string_view cloud, std::string_view name) {
  for (const auto& r : AllRegions()) {
    if (r.cloud == cloud && r.name == name) return &r;
  }
  return nullptr;
}

bool IsKnownCloud(std::string_view cloud) { return cloud == "aws" || cloud == "gcp" || cloud == "azure"; }

bool ResidencyAllows(std::string_view residency, const Region& r) {
  if (residency == "eu") return r.geography == Geography::kEu;
  if (residency == "us") return r.geography == Geography::kUs;
  return true;
}

}  // namespace strata::specs
