#include "agents/agent/state_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace strata::agent {

Status WriteFileAtomically(const std::string& path, std::string_view content) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) return Status::Internal("cannot write " + temp + ": " + std::strerror(errno));
  }
  std::filesystem::rename(temp, path, ec);
  if (ec) return Status::Internal("cannot rename " + temp + " to " + path + ": " + ec.message());
  return Status::Ok();
}

Result<std::optional<std::string>> ReadFileIfExists(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return std::optional<std::string>();
    return Status::Internal("cannot read " + path + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return std::optional<std::string>(text.str());
}

}  // namespace strata::agent
