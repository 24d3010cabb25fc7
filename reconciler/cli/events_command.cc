// strata events tail: prints change events as they arrive on Kafka, through the same consumer
// library the controllers and agents use (so a replayed or older event of a key is not shown).
#include <signal.h>

#include <atomic>
#include <cstdio>

#include "core/event_consumer.h"
#include "reconciler/cli/commands.h"
#include "reconciler/cli/kafka_options.h"
#include "specs/kinds.h"

namespace strata::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop.store(true); }

struct TailFlags {
  std::vector<std::string> kinds;
  std::string output = "human";
  bool from_end = false;
  size_t count = 0;          // 0: no limit
  double idle_timeout = 0;  // seconds; 0: wait forever
};

std::string_view ShortType(ChangeType type) {
  switch (type) {
    case ChangeType::kUpserted:
      return "upserted";
    case ChangeType::kDeleted:
      return "deleted";
    case ChangeType::kRejected:
      return "rejected";
    case ChangeType::kAccepted:
      return "accepted";
  }
  return "";
}

void Print(const ChangeEvent& e, bool json) {
  if (json) {
    std::printf("%s\n", EncodeCloudEvent(e).c_str());
  } else {
    std::printf("%-8llu %-8s %s  %s  %s\n", static_cast<unsigned long long>(e.sequence),
                std::string(ShortType(e.type)).c_str(), e.key.c_str(), e.commit.substr(0, 12).c_str(),
                e.author.c_str());
    for (const auto& err : e.errors) {
      std::printf("         %s:%d:%d: %s%s%s\n", err.file.c_str(), err.line, err.column,
                  err.field.c_str(), err.field.empty() ? "" : ": ", err.message.c_str());
    }
  }
  std::fflush(stdout);
}

int Tail(const TailFlags& flags, const KafkaOptions& kafka) {
  for (const auto& kind : flags.kinds) {
    if (specs::FindKind(kind) == nullptr) {
      std::fprintf(stderr, "strata events tail: unknown kind '%s'\n", kind.c_str());
      return kExitError;
    }
  }
  auto properties = ResolveKafkaProperties(kafka);
  if (!properties.ok()) {
    std::fprintf(stderr, "strata events tail: %s\n", properties.status().message().c_str());
    return kExitError;
  }
  EventConsumerOptions options;
  options.properties = *properties;
  options.kinds = flags.kinds;
  options.from_beginning = !flags.from_end;
  auto consumer = EventConsumer::Create(options);
  if (!consumer.ok()) {
    std::fprintf(stderr, "strata events tail: %s\n", consumer.status().message().c_str());
    return kExitError;
  }
  ::signal(SIGINT, OnStopSignal);
  ::signal(SIGTERM, OnStopSignal);
  size_t printed = 0;
  auto idle_since = std::chrono::steady_clock::now();
  while (!g_stop.load() && (flags.count == 0 || printed < flags.count)) {
    auto next = (*consumer)->Next(std::chrono::milliseconds(250));
    if (!next.ok()) {
      std::fprintf(stderr, "strata events tail: %s\n", next.status().message().c_str());
      return kExitError;
    }
    if (next->has_value()) {
      Print(**next, flags.output == "json");
      ++printed;
      idle_since = std::chrono::steady_clock::now();
    } else if (flags.idle_timeout > 0 &&
               std::chrono::steady_clock::now() - idle_since >
                   std::chrono::duration<double>(flags.idle_timeout)) {
      break;
    }
  }
  return kExitOk;
}

}  // namespace

void AddEventsCommand(CLI::App& app, int* exit_code) {
  CLI::App* events = app.add_subcommand("events", "Read the change events on Kafka");
  events->require_subcommand(1);
  auto flags = std::make_shared<TailFlags>();
  auto kafka = std::make_shared<KafkaOptions>();
  CLI::App* tail = events->add_subcommand("tail", "Print change events as they arrive");
  AddKafkaOptions(tail, kafka);
  tail->add_option("--kind", flags->kinds, "Only these kinds (repeatable); default all");
  tail->add_option("--output,-o", flags->output, "human or json (one CloudEvent per line)")
      ->check(CLI::IsMember({"human", "json"}))
      ->capture_default_str();
  tail->add_flag("--from-end", flags->from_end, "Only events published from now on");
  tail->add_option("--count", flags->count, "Exit after this many events");
  tail->add_option("--idle-timeout", flags->idle_timeout,
                   "Exit after this many seconds without an event");
  tail->callback([=] { *exit_code = Tail(*flags, *kafka); });
}

}  // namespace strata::cli
