#include "specs/diagnostic.h"

#include <algorithm>
#include <tuple>

#include "core/log.h"

namespace strata::specs {
namespace {

// GitHub workflow commands escape %, CR and LF in messages, and also , and : in properties.
std::string GithubEscape(const std::string& text, bool property) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += property ? "%3A" : ":"; break;
      case ',': out += property ? "%2C" : ","; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string Diagnostic::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": error: ";
  if (!field.empty()) out += field + ": ";
  out += message;
  return out;
}

bool operator<(const Diagnostic& a, const Diagnostic& b) {
  return std::tie(a.file, a.line, a.column, a.field, a.message) <
         std::tie(b.file, b.line, b.column, b.field, b.message);
}

void SortAndDedupe(Diagnostics* diagnostics) {
  std::sort(diagnostics->begin(), diagnostics->end());
  auto same = [](const Diagnostic& a, const Diagnostic& b) { return !(a < b) && !(b < a); };
  diagnostics->erase(std::unique(diagnostics->begin(), diagnostics->end(), same),
                     diagnostics->end());
}

std::string FormatHuman(const Diagnostics& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.ToString() + "\n";
  return out;
}

std::string FormatJson(const Diagnostics& diagnostics, size_t files_checked) {
  std::string out = "{\"valid\":";
  out += diagnostics.empty() ? "true" : "false";
  out += ",\"filesChecked\":" + std::to_string(files_checked) + ",\"errors\":[";
  for (size_t i = 0; i < diagnostics.size(); ++i) {
    const auto& d = diagnostics[i];
    if (i > 0) out += ",";
    out += "{\"file\":\"" + JsonEscape(d.file) + "\",\"line\":" + std::to_string(d.line) +
           ",\"column\":" + std::to_string(d.column) + ",\"field\":\"" + JsonEscape(d.field) +
           "\",\"message\":\"" + JsonEscape(d.message) + "\"}";
  }
  out += "]}\n";
  return out;
}

std::string FormatGithub(const Diagnostics& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) {
    out += "::error file=" + GithubEscape(d.file, true);
    if (d.line > 0) {
      out += ",line=" + std::to_string(d.line) + ",col=" + std::to_string(d.column);
    }
    out += ",title=strata validate::";
    out += GithubEscape(d.field.empty() ? d.message : d.field + ": " + d.message, false);
    out += "\n";
  }
  return out;
}

}  // namespace strata::specs
