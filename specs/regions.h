// The clouds strata runs on and their regions, with where each region is (for data residency).
// Adding a region is a code change reviewed like any other; the table is small and immutable.
#pragma once

#include <string_view>
#include <vector>

namespace strata::specs {

enum class Geography { kUs, kEu, kOther };

struct Region {
  std::string_view cloud;  // aws | gcp | azure
  std::string_view name;   // us-west-2, europe-west1, westeurope
  Geography geography;
};

const std::vector<Region>& AllRegions();
// nullptr when `cloud` has no region `name`.
const Region* FindRegion(std::string_view cloud, std::string_view name);
bool IsKnownCloud(std::string_view cloud);

// Whether an org with data residency `residency` ("any", "eu", "us") may place something in `r`.
bool ResidencyAllows(std::string_view residency, const Region& r);

}  // namespace strata::specs
