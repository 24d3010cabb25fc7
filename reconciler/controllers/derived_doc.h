// Helpers the controllers share to name and build derived documents.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/change_event.h"
#include "specs/diagnostic.h"
#include "specs/node.h"

namespace strata::controllers {

// A DNS-1123 name from parts joined by '-'; names over 63 characters keep their start and end
// with a stable hash of the whole, so they stay unique and readable.
std::string DerivedName(const std::vector<std::string_view>& parts);

// "derived/pkc/acme/pkc-acme-orders.yaml" → "pkc-acme-orders".
std::string StemOf(std::string_view path);

// A derived document: apiVersion, kind, metadata {name, annotations {strata.dev/sources}}, and an
// empty spec to fill in. `sources` are fleet paths; computed-at is set when it is staged.
specs::Node DerivedDoc(std::string_view kind, std::string_view name,
                       const std::vector<std::string>& sources);
specs::Node* SpecOf(specs::Node& doc);
// Sets metadata.annotations[key] of a document made by DerivedDoc.
void SetAnnotation(specs::Node& doc, const std::string& key, const std::string& value);
// Sets metadata.labels of a document made by DerivedDoc (nothing when `labels` is empty).
void SetLabels(specs::Node& doc, const specs::Node& labels);

specs::Node StringList(const std::vector<std::string>& values);
std::vector<std::string> StringsAt(const specs::Node* list);
int64_t IntAt(const specs::Node& map, std::string_view key, int64_t otherwise);

// The schema and path problems of a spec, as a rejection carries them.
std::vector<EventError> ToEventErrors(const specs::Diagnostics& diagnostics);
EventError FieldError(const std::string& file, const specs::Node* at, std::string field,
                      std::string message);

}  // namespace strata::controllers
