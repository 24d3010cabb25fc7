#include "core/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace strata::metrics {

using internal::MetricType;

namespace internal {

// One RenderText's view of every family: registered values first, then collector samples.
struct Scrape {
  struct Family {
    MetricType type = MetricType::kGauge;
    std::string help;
    std::map<Labels, double> values;                   // counters and gauges
    std::map<Labels, Histogram::Snapshot> histograms;  // histograms
  };
  std::map<std::string, Family, std::less<>> families;
};

struct CollectorList {
  struct Entry {
    std::mutex mu;  // held while `collect` runs, so that unregistering waits for it
    std::function<void(Sink&)> collect;  // empty once unregistered
  };
  std::mutex mu;
  uint64_t next_id = 1;
  std::map<uint64_t, std::shared_ptr<Entry>> entries;  // guarded by mu
};

}  // namespace internal

namespace {

constexpr std::string_view kHistogramSuffixes[] = {"_bucket", "_sum", "_count"};

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Names starting with "__" are reserved for Prometheus itself.
bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__") return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Sorts `labels` by name. Returns what is wrong with them, or "" when they are fine.
std::string CanonicalizeLabels(Labels& labels, MetricType type) {
  std::sort(labels.begin(), labels.end());
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string& name = labels[i].first;
    if (!IsValidLabelName(name)) return "invalid label name '" + name + "'";
    if (i > 0 && labels[i - 1].first == name) return "label '" + name + "' given twice";
    if (type == MetricType::kHistogram && name == "le") {
      return "label 'le' is reserved for histogram buckets";
    }
  }
  return "";
}

// The histogram family that `name` would shadow as one of its series (x_bucket, x_sum, x_count).
template <class Map, class IsHistogram>
std::string ShadowedHistogram(const Map& families, std::string_view name,
                              IsHistogram is_histogram) {
  for (std::string_view suffix : kHistogramSuffixes) {
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      auto it = families.find(name.substr(0, name.size() - suffix.size()));
      if (it != families.end() && is_histogram(it->second)) return it->first;
    }
  }
  return "";
}

void ValidateBounds(const std::vector<double>& bounds) {
  if (bounds.empty()) throw std::logic_error("metrics: a histogram needs at least one bound");
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) {
      throw std::logic_error("metrics: histogram bounds must be finite (+Inf is implicit)");
    }
    if (i > 0 && !(bounds[i - 1] < bounds[i])) {
      throw std::logic_error("metrics: histogram bounds must be strictly increasing");
    }
  }
}

// Integers below 2^53 in plain digits; other values in the shortest form that reads back exactly.
std::string FormatNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == 0) return "0";  // also -0
  char buf[64];
  std::to_chars_result result;
  if (std::trunc(value) == value && std::fabs(value) < 9007199254740992.0) {
    result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  } else {
    result = std::to_chars(buf, buf + sizeof buf, value);
  }
  return {buf, result.ptr};
}

// Label values escape backslash, double quote and newline; help text backslash and newline.
std::string Escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// `{a="1",b="2"}`, with le="..." last when `le` is given; "" without any label.
std::string LabelText(const Labels& labels, const std::string* le = nullptr) {
  if (labels.empty() && le == nullptr) return "";
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ',';
    out += name + "=\"" + Escape(value, true) + "\"";
  }
  if (le != nullptr) {
    if (out.size() > 1) out += ',';
    out += "le=\"" + *le + "\"";
  }
  return out + "}";
}

}  // namespace

void Counter::Inc(double amount) {
  if (!(amount >= 0)) return;
  value_.fetch_add(amount, std::memory_order_relaxed);
}

void Gauge::Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  ValidateBounds(bounds_);
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::Observe(double value) {
  size_t bucket =
      std::isnan(value)
          ? bounds_.size()
          : static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                bounds_.begin());
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.bounds = bounds_;
  snapshot.cumulative.reserve(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(running);
  }
  snapshot.count = running;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

std::vector<double> DefaultSecondsBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

ScopedTimer::~ScopedTimer() {
  histogram_.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
}

namespace {

bool AddSample(internal::Scrape& scrape, MetricType type, std::string_view name,
               std::string_view help, const Labels& labels, double value) {
  if (!IsValidMetricName(name)) return false;
  Labels canonical = labels;
  if (!CanonicalizeLabels(canonical, type).empty()) return false;
  auto it = scrape.families.find(name);
  if (it == scrape.families.end()) {
    auto is_histogram = [](const internal::Scrape::Family& f) {
      return f.type == MetricType::kHistogram;
    };
    if (!ShadowedHistogram(scrape.families, name, is_histogram).empty()) return false;
    internal::Scrape::Family family;
    family.type = type;
    it = scrape.families.emplace(std::string(name), std::move(family)).first;
  } else if (it->second.type != type) {
    return false;
  }
  if (it->second.help.empty()) it->second.help = help;
  return it->second.values.emplace(std::move(canonical), value).second;
}

}  // namespace

bool Sink::Gauge(std::string_view name, std::string_view help, const Labels& labels, double value) {
  return AddSample(scrape_, MetricType::kGauge, name, help, labels, value);
}

bool Sink::Counter(std::string_view name, std::string_view help, const Labels& labels,
                   double value) {
  return AddSample(scrape_, MetricType::kCounter, name, help, labels, value);
}

CollectorHandle::CollectorHandle(CollectorHandle&& other) noexcept
    : list_(std::move(other.list_)), id_(std::exchange(other.id_, 0)) {}

CollectorHandle& CollectorHandle::operator=(CollectorHandle&& other) noexcept {
  if (this != &other) {
    Reset();
    list_ = std::move(other.list_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void CollectorHandle::Reset() {
  std::shared_ptr<internal::CollectorList> list = list_.lock();
  list_.reset();
  if (list == nullptr) return;
  std::shared_ptr<internal::CollectorList::Entry> entry;
  {
    std::lock_guard lock(list->mu);
    auto it = list->entries.find(id_);
    if (it == list->entries.end()) return;
    entry = std::move(it->second);
    list->entries.erase(it);
  }
  std::function<void(Sink&)> released;
  {
    std::lock_guard lock(entry->mu);  // waits for a scrape that is running the callback
    released = std::move(entry->collect);
    entry->collect = nullptr;
  }
}

struct Registry::Family {
  MetricType type;
  std::string help;
  std::vector<double> bounds;  // histograms only
  // std::map never moves its nodes: the references handed out stay valid.
  std::map<Labels, Counter> counters;
  std::map<Labels, Gauge> gauges;
  std::map<Labels, Histogram> histograms;
};

Registry::Registry() : collectors_(std::make_shared<internal::CollectorList>()) {}
Registry::~Registry() = default;

Registry::Family& Registry::FamilyFor(std::string_view name, std::string_view help, MetricType type,
                                      const std::vector<double>& bounds) {
  auto it = families_.find(name);
  if (it != families_.end()) {
    Family& family = *it->second;
    if (family.type != type) {
      throw std::logic_error("metrics: '" + std::string(name) + "' is already a " +
                             std::string(TypeName(family.type)) + ", not a " +
                             std::string(TypeName(type)));
    }
    if (family.bounds != bounds) {
      throw std::logic_error("metrics: histogram '" + std::string(name) +
                             "' is already registered with other bounds");
    }
    return family;
  }
  auto is_histogram = [](const std::unique_ptr<Family>& f) {
    return f->type == MetricType::kHistogram;
  };
  std::string shadowed = ShadowedHistogram(families_, name, is_histogram);
  if (!shadowed.empty()) {
    throw std::logic_error("metrics: '" + std::string(name) + "' clashes with histogram '" +
                           shadowed + "'");
  }
  if (type == MetricType::kHistogram) {
    for (std::string_view suffix : kHistogramSuffixes) {
      std::string series = std::string(name) + std::string(suffix);
      if (families_.count(series) != 0) {
        throw std::logic_error("metrics: histogram '" + std::string(name) + "' clashes with '" +
                               series + "'");
      }
    }
  }
  auto family = std::make_unique<Family>();
  family->type = type;
  family->help = help;
  family->bounds = bounds;
  return *families_.emplace(std::string(name), std::move(family)).first->second;
}

namespace {

void CheckNameAndLabels(std::string_view name, Labels& labels, MetricType type) {
  if (!IsValidMetricName(name)) {
    throw std::logic_error("metrics: invalid metric name '" + std::string(name) + "'");
  }
  std::string problem = CanonicalizeLabels(labels, type);
  if (!problem.empty()) throw std::logic_error("metrics: " + std::string(name) + ": " + problem);
}

}  // namespace

Counter& Registry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  Labels canonical = labels;
  CheckNameAndLabels(name, canonical, MetricType::kCounter);
  std::lock_guard lock(mu_);
  Family& family = FamilyFor(name, help, MetricType::kCounter, {});
  return family.counters.try_emplace(std::move(canonical)).first->second;
}

Gauge& Registry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  Labels canonical = labels;
  CheckNameAndLabels(name, canonical, MetricType::kGauge);
  std::lock_guard lock(mu_);
  Family& family = FamilyFor(name, help, MetricType::kGauge, {});
  return family.gauges.try_emplace(std::move(canonical)).first->second;
}

Histogram& Registry::GetHistogram(std::string_view name, std::string_view help,
                                  const Labels& labels, const std::vector<double>& bounds) {
  Labels canonical = labels;
  CheckNameAndLabels(name, canonical, MetricType::kHistogram);
  ValidateBounds(bounds);
  std::lock_guard lock(mu_);
  Family& family = FamilyFor(name, help, MetricType::kHistogram, bounds);
  return family.histograms.try_emplace(std::move(canonical), bounds).first->second;
}

CollectorHandle Registry::AddCollector(std::function<void(Sink&)> collect) {
  auto entry = std::make_shared<internal::CollectorList::Entry>();
  entry->collect = std::move(collect);
  std::lock_guard lock(collectors_->mu);
  uint64_t id = collectors_->next_id++;
  collectors_->entries.emplace(id, std::move(entry));
  return {collectors_, id};
}

std::string Registry::RenderText() const {
  internal::Scrape scrape;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, family] : families_) {
      internal::Scrape::Family& out = scrape.families[name];
      out.type = family->type;
      out.help = family->help;
      for (const auto& [labels, counter] : family->counters) out.values[labels] = counter.Value();
      for (const auto& [labels, gauge] : family->gauges) out.values[labels] = gauge.Value();
      for (const auto& [labels, histogram] : family->histograms) {
        out.histograms[labels] = histogram.Read();
      }
    }
  }
  std::vector<std::shared_ptr<internal::CollectorList::Entry>> entries;
  {
    std::lock_guard lock(collectors_->mu);
    for (const auto& [id, entry] : collectors_->entries) entries.push_back(entry);
  }
  Sink sink(scrape);
  for (const auto& entry : entries) {
    std::lock_guard lock(entry->mu);
    if (entry->collect) entry->collect(sink);
  }

  std::string out;
  for (const auto& [name, family] : scrape.families) {
    if (!family.help.empty()) out += "# HELP " + name + " " + Escape(family.help, false) + "\n";
    out += "# TYPE " + name + " " + std::string(TypeName(family.type)) + "\n";
    for (const auto& [labels, value] : family.values) {
      out += name + LabelText(labels) + " " + FormatNumber(value) + "\n";
    }
    for (const auto& [labels, histogram] : family.histograms) {
      for (size_t i = 0; i < histogram.cumulative.size(); ++i) {
        std::string le = i < histogram.bounds.size() ? FormatNumber(histogram.bounds[i]) : "+Inf";
        out += name + "_bucket" + LabelText(labels, &le) + " " +
               std::to_string(histogram.cumulative[i]) + "\n";
      }
      out += name + "_sum" + LabelText(labels) + " " + FormatNumber(histogram.sum) + "\n";
      out += name + "_count" + LabelText(labels) + " " + std::to_string(histogram.count) + "\n";
    }
  }
  return out;
}

Registry& DefaultRegistry() {
  static auto* const registry = new Registry();
  return *registry;
}

}  // namespace strata::metrics
