#include "core/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

namespace strata {
namespace {

// %* in a pattern: the log message, escaped for a JSON string.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*tm*/,
              spdlog::memory_buf_t& dest) override {
    std::string escaped = JsonEscape(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

LogFormat g_format = LogFormat::kHuman;
std::string g_level = "warn";
thread_local std::vector<std::pair<std::string, std::string>> t_fields;

// Whether an inner scope sets field `i` again (the inner value is the one shown).
bool ShadowedLater(size_t i) {
  for (size_t j = i + 1; j < t_fields.size(); ++j) {
    if (t_fields[j].first == t_fields[i].first) return true;
  }
  return false;
}

// %& in the JSON pattern: the thread's LogFields as members, each followed by a comma.
class JsonFieldsFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& /*msg*/, const std::tm& /*tm*/,
              spdlog::memory_buf_t& dest) override {
    for (size_t i = 0; i < t_fields.size(); ++i) {
      if (ShadowedLater(i)) continue;
      const auto& [key, value] = t_fields[i];
      std::string member = "\"" + JsonEscape(key) + "\":\"" + JsonEscape(value) + "\",";
      dest.append(member.data(), member.data() + member.size());
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonFieldsFlag>();
  }
};

// %& in the human pattern: " [key=value …]" when the thread has LogFields.
class HumanFieldsFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& /*msg*/, const std::tm& /*tm*/,
              spdlog::memory_buf_t& dest) override {
    if (t_fields.empty()) return;
    std::string text = " [";
    for (size_t i = 0; i < t_fields.size(); ++i) {
      if (ShadowedLater(i)) continue;
      text += (text.size() == 2 ? "" : " ") + t_fields[i].first + "=" + t_fields[i].second;
    }
    text += "]";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<HumanFieldsFlag>();
  }
};

}  // namespace

LogFields::LogFields(std::initializer_list<std::pair<std::string_view, std::string_view>> fields)
    : outer_size_(t_fields.size()) {
  for (const auto& [key, value] : fields) t_fields.emplace_back(key, value);
}

LogFields::~LogFields() { t_fields.resize(outer_size_); }

LogFormat CurrentLogFormat() { return g_format; }
std::string CurrentLogLevel() { return g_level; }

std::string JsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

Status InitLogging(LogFormat format, std::string_view level) {
  spdlog::level::level_enum parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return Status::InvalidArgument("unknown log level '" + std::string(level) +
                                   "' (trace, debug, info, warn, error, off)");
  }
  g_format = format;
  g_level = std::string(level);
  spdlog::drop("strata");  // a second call replaces the first set-up
  auto logger = spdlog::stderr_color_mt("strata");
  logger->set_level(parsed);
  if (format == LogFormat::kJson) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JsonMessageFlag>('*').add_flag<JsonFieldsFlag>('&').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l",%&"msg":"%*"})");
    logger->set_formatter(std::move(formatter));
  } else {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<HumanFieldsFlag>('&').set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v%&");
    logger->set_formatter(std::move(formatter));
  }
  spdlog::set_default_logger(std::move(logger));
  return Status::Ok();
}

}  // namespace strata
