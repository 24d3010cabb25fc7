// Metrics: counters, gauges and histograms that a strata process exposes to Prometheus.
//
// A Registry owns named metric families; GetCounter/GetGauge/GetHistogram return a reference that
// stays valid for the registry's lifetime, and the same name and labels always return the same
// object, so a component may look its metrics up once and keep the references. Updating a metric
// is lock-free (atomics). Values that only exist at scrape time (queue depth, consumer lag) come
// from collectors: callbacks that the registry calls from RenderText, unregistered when their
// CollectorHandle dies. RenderText writes the Prometheus text exposition format 0.0.4.
//
// Programming errors throw std::logic_error and leave the registry unchanged: an invalid metric
// or label name, a label repeated, a name already registered as another type (or one that clashes
// with a histogram's _bucket/_sum/_count series), or histogram bounds that are not strictly
// increasing and finite. They happen where a component registers its metrics, so the first test
// that builds the component finds them. A collector's bad sample is dropped instead (see Sink).
//
// Everything here is thread-safe. Only the standard library is used.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::metrics {

// Label name/value pairs. Order does not matter: {a,b} and {b,a} name the same series, which is
// rendered with its labels sorted by name.
using Labels = std::vector<std::pair<std::string, std::string>>;

// A value that only goes up (requests served, events produced).
class Counter {
 public:
  // Adds `amount`. A negative or NaN amount is ignored: a counter never goes down.
  void Inc(double amount = 1);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down (connections open, last success time).
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A distribution over fixed upper bounds (latencies, sizes). An observation v is counted in the
// first bucket whose bound is >= v, or in the implicit +Inf bucket (NaN goes there too).
class Histogram {
 public:
  struct Snapshot {
    std::vector<double> bounds;        // the upper bounds, without +Inf
    std::vector<uint64_t> cumulative;  // bounds.size() + 1 counts; the last is +Inf == count
    double sum = 0;
    uint64_t count = 0;
  };

  // Throws std::logic_error unless `bounds` is non-empty, finite and strictly increasing.
  explicit Histogram(std::vector<double> bounds);

  void Observe(double value);
  // Bucket counts and count agree with each other; the sum may lag an Observe running meanwhile.
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // per bucket, not cumulative; +Inf last
  std::atomic<double> sum_{0};
};

// 0.001 s to 60 s: 1, 2.5, 5, 10, 25, 50, 100, 250, 500 ms, 1, 2.5, 5, 10, 30, 60 s.
std::vector<double> DefaultSecondsBuckets();

// Observes the seconds from construction to destruction into a histogram, which must outlive it.
class ScopedTimer {
 public:
  explicit ScopedTimer(Histogram& histogram)
      : histogram_(histogram), start_(std::chrono::steady_clock::now()) {}
  ~ScopedTimer();
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  Histogram& histogram_;
  std::chrono::steady_clock::time_point start_;
};

namespace internal {
enum class MetricType { kCounter, kGauge, kHistogram };
struct Scrape;
struct CollectorList;
}  // namespace internal

// What a collector writes its samples to during one RenderText. A sample joins the family of the
// same name (a registered one, or one made by an earlier sample); the first help text given for a
// family wins. A sample is dropped, and the call returns false, when a name is invalid, a label is
// repeated, the name belongs to a family of another type, or the series already has a value in
// this scrape (registered metrics come first, then collectors in the order they were added).
class Sink {
 public:
  bool Gauge(std::string_view name, std::string_view help, const Labels& labels, double value);
  bool Counter(std::string_view name, std::string_view help, const Labels& labels, double value);

 private:
  friend class Registry;
  explicit Sink(internal::Scrape& scrape) : scrape_(scrape) {}
  internal::Scrape& scrape_;
};

// Keeps a collector registered; destroying it (or Reset) unregisters it. When that returns, the
// callback is not running and will not run again, so the callback may use the owner's members.
// Do not destroy the handle from inside its own callback, nor while holding a lock the callback
// takes. Outliving the registry is harmless. Move-only.
class CollectorHandle {
 public:
  CollectorHandle() = default;
  CollectorHandle(CollectorHandle&& other) noexcept;
  CollectorHandle& operator=(CollectorHandle&& other) noexcept;
  ~CollectorHandle() { Reset(); }

  void Reset();

 private:
  friend class Registry;
  CollectorHandle(std::weak_ptr<internal::CollectorList> list, uint64_t id)
      : list_(std::move(list)), id_(id) {}
  std::weak_ptr<internal::CollectorList> list_;
  uint64_t id_ = 0;
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The metric named `name` with `labels`, created on first use. The family's help text is the
  // one given first. Throws std::logic_error on a programming error (see the top of this file).
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  // The first call fixes the family's bounds; a later call with other bounds throws. Histograms
  // may not use the label `le`.
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels = {},
                          const std::vector<double>& bounds = DefaultSecondsBuckets());

  // Registers `collect`, called from every RenderText (on the scraping thread, without the
  // registry's lock held, so it may itself use the registry). It must be thread-safe.
  [[nodiscard]] CollectorHandle AddCollector(std::function<void(Sink&)> collect);

  // Every family, sorted by name, in the Prometheus text format 0.0.4. A family with empty help
  // has no # HELP line. Exceptions thrown by a collector propagate.
  std::string RenderText() const;

 private:
  struct Family;
  // The family `name`, created if new. Requires mu_; throws on a type or bounds mismatch.
  Family& FamilyFor(std::string_view name, std::string_view help, internal::MetricType type,
                    const std::vector<double>& bounds);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;  // guarded by mu_
  std::shared_ptr<internal::CollectorList> collectors_;
};

// The process-wide registry. Never destroyed, so references to it stay valid during exit.
Registry& DefaultRegistry();

}  // namespace strata::metrics
