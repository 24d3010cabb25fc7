#include "core/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <future>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

namespace strata::metrics {
namespace {

TEST(MetricsTest, RendersCounterGaugeAndHistogramExactly) {
  Registry registry;
  registry
      .GetCounter("strata_events_total", "Change events produced.",
                  {{"topic", "orders"}, {"cluster", "a"}})
      .Inc(3);
  registry
      .GetCounter("strata_events_total", "Change events produced.",
                  {{"cluster", "b"}, {"topic", "orders"}})
      .Inc();
  registry.GetGauge("strata_queue_depth", "Work items waiting.").Set(-2.5);
  Histogram& seconds = registry.GetHistogram("strata_reconcile_seconds",
                                             "Time to reconcile one commit.", {}, {0.5, 1, 10});
  for (double v : {0.25, 0.5, 2.0, 100.0}) seconds.Observe(v);
  registry.GetHistogram("strata_apply_seconds", "", {{"driver", "sim"}}, {1}).Observe(0.5);

  EXPECT_EQ(registry.RenderText(),
            "# TYPE strata_apply_seconds histogram\n"
            "strata_apply_seconds_bucket{driver=\"sim\",le=\"1\"} 1\n"
            "strata_apply_seconds_bucket{driver=\"sim\",le=\"+Inf\"} 1\n"
            "strata_apply_seconds_sum{driver=\"sim\"} 0.5\n"
            "strata_apply_seconds_count{driver=\"sim\"} 1\n"
            "# HELP strata_events_total Change events produced.\n"
            "# TYPE strata_events_total counter\n"
            "strata_events_total{cluster=\"a\",topic=\"orders\"} 3\n"
            "strata_events_total{cluster=\"b\",topic=\"orders\"} 1\n"
            "# HELP strata_queue_depth Work items waiting.\n"
            "# TYPE strata_queue_depth gauge\n"
            "strata_queue_depth -2.5\n"
            "# HELP strata_reconcile_seconds Time to reconcile one commit.\n"
            "# TYPE strata_reconcile_seconds histogram\n"
            "strata_reconcile_seconds_bucket{le=\"0.5\"} 2\n"
            "strata_reconcile_seconds_bucket{le=\"1\"} 2\n"
            "strata_reconcile_seconds_bucket{le=\"10\"} 3\n"
            "strata_reconcile_seconds_bucket{le=\"+Inf\"} 4\n"
            "strata_reconcile_seconds_sum 102.75\n"
            "strata_reconcile_seconds_count 4\n");
}

TEST(MetricsTest, EmptyRegistryRendersNothing) {
  Registry registry;
  EXPECT_EQ(registry.RenderText(), "");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Registry registry;
  registry.GetGauge("g", "a \\ back\nslash \"quoted\"", {{"path", "C:\\dir\n\"x\""}}).Set(1);
  EXPECT_EQ(registry.RenderText(),
            "# HELP g a \\\\ back\\nslash \"quoted\"\n"
            "# TYPE g gauge\n"
            "g{path=\"C:\\\\dir\\n\\\"x\\\"\"} 1\n");
}

TEST(MetricsTest, FormatsNumbersSoPrometheusParsesThem) {
  Registry registry;
  auto set = [&](const char* name, double v) { registry.GetGauge(name, "").Set(v); };
  set("a_million", 1e6);
  set("b_tenth", 0.1);
  set("c_tiny", 1e-7);
  set("d_huge", 1e20);
  set("e_nan", std::nan(""));
  set("f_inf", std::numeric_limits<double>::infinity());
  set("g_minus_inf", -std::numeric_limits<double>::infinity());
  set("h_minus_zero", -0.0);
  set("i_big_integer", 9007199254740991.0);
  EXPECT_EQ(registry.RenderText(),
            "# TYPE a_million gauge\na_million 1000000\n"
            "# TYPE b_tenth gauge\nb_tenth 0.1\n"
            "# TYPE c_tiny gauge\nc_tiny 1e-07\n"
            "# TYPE d_huge gauge\nd_huge 1e+20\n"
            "# TYPE e_nan gauge\ne_nan NaN\n"
            "# TYPE f_inf gauge\nf_inf +Inf\n"
            "# TYPE g_minus_inf gauge\ng_minus_inf -Inf\n"
            "# TYPE h_minus_zero gauge\nh_minus_zero 0\n"
            "# TYPE i_big_integer gauge\ni_big_integer 9007199254740991\n");
}

TEST(MetricsTest, SameNameAndLabelsIsTheSameObject) {
  Registry registry;
  Counter& a = registry.GetCounter("c_total", "help", {{"x", "1"}, {"y", "2"}});
  Counter& b = registry.GetCounter("c_total", "other help", {{"y", "2"}, {"x", "1"}});
  Counter& other = registry.GetCounter("c_total", "help", {{"x", "1"}, {"y", "3"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &other);
  EXPECT_EQ(&registry.GetGauge("g", ""), &registry.GetGauge("g", ""));
  EXPECT_EQ(&registry.GetHistogram("h", ""), &registry.GetHistogram("h", ""));
  a.Inc();
  b.Inc(2);
  EXPECT_EQ(a.Value(), 3);
}

TEST(MetricsTest, CounterIgnoresNegativeAndNan) {
  Counter counter;
  counter.Inc(2);
  counter.Inc(-1);
  counter.Inc(std::nan(""));
  EXPECT_EQ(counter.Value(), 2);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeAndNanGoesToInf) {
  Histogram histogram({1, 2});
  for (double v : {0.5, 1.0, 1.5, 3.0}) histogram.Observe(v);
  histogram.Observe(std::nan(""));
  Histogram::Snapshot snapshot = histogram.Read();
  EXPECT_EQ(snapshot.cumulative, (std::vector<uint64_t>{2, 3, 5}));
  EXPECT_EQ(snapshot.count, 5u);
  EXPECT_TRUE(std::isnan(snapshot.sum));
}

TEST(MetricsTest, ProgrammingErrorsThrowAndChangeNothing) {
  Registry registry;
  registry.GetCounter("taken", "");
  registry.GetHistogram("latency", "", {}, {1, 2});
  EXPECT_THROW(registry.GetGauge("taken", ""), std::logic_error);
  EXPECT_THROW(registry.GetCounter("", ""), std::logic_error);
  EXPECT_THROW(registry.GetCounter("1st", ""), std::logic_error);
  EXPECT_THROW(registry.GetCounter("has-dash", ""), std::logic_error);
  EXPECT_THROW(registry.GetCounter("ok", "", {{"bad-label", "v"}}), std::logic_error);
  EXPECT_THROW(registry.GetCounter("ok", "", {{"__reserved", "v"}}), std::logic_error);
  EXPECT_THROW(registry.GetCounter("ok", "", {{"a", "1"}, {"a", "2"}}), std::logic_error);
  EXPECT_THROW(registry.GetHistogram("h", "", {{"le", "1"}}), std::logic_error);
  EXPECT_THROW(registry.GetHistogram("h", "", {}, {2, 1}), std::logic_error);
  EXPECT_THROW(registry.GetHistogram("h", "", {}, {}), std::logic_error);
  EXPECT_THROW(registry.GetHistogram("latency", "", {}, {1, 5}), std::logic_error);
  EXPECT_THROW(registry.GetCounter("latency_count", ""), std::logic_error);
  EXPECT_THROW(registry.GetHistogram("taken", ""), std::logic_error);
  registry.GetCounter("x_sum", "");
  EXPECT_THROW(registry.GetHistogram("x", ""), std::logic_error);
  EXPECT_EQ(registry.RenderText(),
            "# TYPE latency histogram\n"
            "latency_bucket{le=\"1\"} 0\n"
            "latency_bucket{le=\"2\"} 0\n"
            "latency_bucket{le=\"+Inf\"} 0\n"
            "latency_sum 0\n"
            "latency_count 0\n"
            "# TYPE taken counter\n"
            "taken 0\n"
            "# TYPE x_sum counter\n"
            "x_sum 0\n");
}

TEST(MetricsTest, CollectorIsEmittedUntilItsHandleDies) {
  Registry registry;
  registry.GetGauge("strata_consumer_lag", "Messages behind.", {{"partition", "0"}}).Set(1);
  std::atomic<int> lag = 42;
  {
    CollectorHandle handle = registry.AddCollector([&lag](Sink& sink) {
      sink.Gauge("strata_consumer_lag", "ignored: the registered help wins", {{"partition", "1"}},
                 lag.load());
      sink.Counter("strata_polls_total", "Polls made.", {}, 7);
    });
    CollectorHandle moved = std::move(handle);
    lag = 43;
    EXPECT_EQ(registry.RenderText(),
              "# HELP strata_consumer_lag Messages behind.\n"
              "# TYPE strata_consumer_lag gauge\n"
              "strata_consumer_lag{partition=\"0\"} 1\n"
              "strata_consumer_lag{partition=\"1\"} 43\n"
              "# HELP strata_polls_total Polls made.\n"
              "# TYPE strata_polls_total counter\n"
              "strata_polls_total 7\n");
  }
  EXPECT_EQ(registry.RenderText(),
            "# HELP strata_consumer_lag Messages behind.\n"
            "# TYPE strata_consumer_lag gauge\n"
            "strata_consumer_lag{partition=\"0\"} 1\n");
}

TEST(MetricsTest, CollectorSamplesThatConflictAreDropped) {
  Registry registry;
  registry.GetCounter("events_total", "").Inc();
  registry.GetHistogram("latency", "", {}, {1});
  std::vector<bool> accepted;
  CollectorHandle handle = registry.AddCollector([&accepted](Sink& sink) {
    accepted = {
        sink.Gauge("events_total", "", {}, 1),             // a counter already
        sink.Counter("events_total", "", {}, 5),           // that series has its value
        sink.Gauge("latency_count", "", {}, 1),            // a histogram's series
        sink.Gauge("bad name", "", {}, 1),                 // invalid name
        sink.Gauge("g", "", {{"a", "1"}, {"a", "2"}}, 1),  // repeated label
        sink.Gauge("g", "", {{"a", "1"}}, 2),              // fine
        sink.Gauge("g", "", {{"a", "1"}}, 3),              // the same series again
    };
  });
  EXPECT_EQ(registry.RenderText(),
            "# TYPE events_total counter\n"
            "events_total 1\n"
            "# TYPE g gauge\n"
            "g{a=\"1\"} 2\n"
            "# TYPE latency histogram\n"
            "latency_bucket{le=\"1\"} 0\n"
            "latency_bucket{le=\"+Inf\"} 0\n"
            "latency_sum 0\n"
            "latency_count 0\n");
  EXPECT_EQ(accepted, (std::vector<bool>{false, false, false, false, false, true, false}));
}

TEST(MetricsTest, CollectorMayUseTheRegistry) {
  Registry registry;
  CollectorHandle handle = registry.AddCollector([&registry](Sink& sink) {
    sink.Gauge("doubled", "", {}, 2 * registry.GetCounter("base_total", "").Value());
  });
  registry.GetCounter("base_total", "").Inc(21);
  EXPECT_NE(registry.RenderText().find("doubled 42\n"), std::string::npos);
}

// Destroying the handle while a scrape runs the callback waits for the callback to return.
TEST(MetricsTest, UnregisteringWaitsForARunningCollector) {
  Registry registry;
  std::promise<void> entered;
  std::atomic<bool> finished = false;
  CollectorHandle handle = registry.AddCollector([&](Sink& sink) {
    entered.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    sink.Gauge("slow", "", {}, 1);
    finished = true;
  });
  std::thread scraper([&registry] { (void)registry.RenderText(); });
  entered.get_future().wait();
  handle.Reset();
  EXPECT_TRUE(finished);
  scraper.join();
  EXPECT_EQ(registry.RenderText(), "");
}

TEST(MetricsTest, HandleMayOutliveTheRegistry) {
  CollectorHandle handle;
  {
    Registry registry;
    handle = registry.AddCollector([](Sink&) {});
  }
  handle.Reset();  // nothing to do, and no crash
}

TEST(MetricsTest, ConcurrentUpdatesAreExact) {
  Registry registry;
  constexpr int kThreads = 4;
  constexpr int kIterations = 50000;
  std::atomic<bool> done = false;
  std::thread scraper([&] {
    while (!done) (void)registry.RenderText();
  });
  CollectorHandle handle = registry.AddCollector([](Sink& sink) { sink.Gauge("up", "", {}, 1); });
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, t] {
      for (int i = 0; i < kIterations; ++i) {
        registry.GetCounter("hits_total", "", {{"shared", "yes"}}).Inc();
        registry.GetCounter("hits_total", "", {{"thread", std::to_string(t)}}).Inc(0.5);
        registry.GetGauge("balance", "").Add(i % 2 == 0 ? 1 : -1);
        registry.GetHistogram("obs", "", {}, {1}).Observe(2);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  done = true;
  scraper.join();
  EXPECT_EQ(registry.GetCounter("hits_total", "", {{"shared", "yes"}}).Value(),
            kThreads * kIterations);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(registry.GetCounter("hits_total", "", {{"thread", std::to_string(t)}}).Value(),
              kIterations / 2.0);
  }
  EXPECT_EQ(registry.GetGauge("balance", "").Value(), 0);
  Histogram::Snapshot obs = registry.GetHistogram("obs", "", {}, {1}).Read();
  EXPECT_EQ(obs.count, static_cast<uint64_t>(kThreads * kIterations));
  EXPECT_EQ(obs.sum, 2.0 * kThreads * kIterations);
}

TEST(MetricsTest, ScopedTimerObservesOnce) {
  Histogram histogram(DefaultSecondsBuckets());
  { ScopedTimer timer(histogram); }
  Histogram::Snapshot snapshot = histogram.Read();
  EXPECT_EQ(snapshot.count, 1u);
  EXPECT_GE(snapshot.sum, 0);
  EXPECT_LT(snapshot.sum, 60);
}

TEST(MetricsTest, DefaultBucketsAndRegistry) {
  std::vector<double> buckets = DefaultSecondsBuckets();
  EXPECT_EQ(buckets.front(), 0.001);
  EXPECT_EQ(buckets.back(), 60);
  EXPECT_TRUE(std::is_sorted(buckets.begin(), buckets.end()));
  EXPECT_EQ(&DefaultRegistry(), &DefaultRegistry());
}

}  // namespace
}  // namespace strata::metrics
