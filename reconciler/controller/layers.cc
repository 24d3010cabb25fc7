#include "reconciler/controller/layers.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace strata::controller {

std::vector<std::string> LayerCake::StartOrder() const {
  std::vector<std::string> order;
  for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer) {
    for (const ControllerInfo& c : *layer) order.push_back(c.name);
  }
  return order;
}

Result<LayerCake> ComputeLayers(const std::vector<ControllerInfo>& controllers) {
  std::map<std::string, const ControllerInfo*> by_name;
  for (const ControllerInfo& c : controllers) {
    if (!by_name.emplace(c.name, &c).second) {
      return Status::InvalidArgument("two controllers are named " + c.name);
    }
  }
  for (const ControllerInfo& a : controllers) {
    for (const ControllerInfo& b : controllers) {
      if (&a != &b && b.prefix.compare(0, a.prefix.size(), a.prefix) == 0) {
        return Status::InvalidArgument("controller " + b.name + "'s prefix " + b.prefix +
                                       " lies inside " + a.name + "'s " + a.prefix);
      }
    }
  }
  // feeds[a] = the controllers that consume something a writes.
  std::map<std::string, std::set<std::string>> fed_by;
  for (const ControllerInfo& producer : controllers) {
    for (const ControllerInfo& consumer : controllers) {
      for (const std::string& kind : producer.outputs) {
        if (std::find(consumer.inputs.begin(), consumer.inputs.end(), kind) !=
            consumer.inputs.end()) {
          fed_by[consumer.name].insert(producer.name);
        }
      }
    }
  }
  // Depth-first, so that a cycle is found with its path.
  std::map<std::string, int> layer;
  std::map<std::string, int> state;  // 0 new, 1 on the stack, 2 done
  std::vector<std::string> stack;
  Status failure;
  std::function<int(const std::string&)> visit = [&](const std::string& name) -> int {
    if (state[name] == 2) return layer[name];
    if (state[name] == 1) {
      auto from = std::find(stack.begin(), stack.end(), name);
      std::string cycle;
      for (auto it = from; it != stack.end(); ++it) cycle += *it + " → ";
      failure = Status::FailedPrecondition("controller cycle: " + cycle + name);
      return 0;
    }
    state[name] = 1;
    stack.push_back(name);
    int deepest = 0;
    for (const std::string& producer : fed_by[name]) {
      deepest = std::max(deepest, visit(producer));
      if (!failure.ok()) return 0;
    }
    stack.pop_back();
    state[name] = 2;
    return layer[name] = deepest + 1;
  };
  for (const ControllerInfo& c : controllers) {
    visit(c.name);
    if (!failure.ok()) return failure;
  }
  LayerCake cake;
  for (const ControllerInfo& c : controllers) {
    size_t index = static_cast<size_t>(layer[c.name] - 1);
    if (cake.layers.size() <= index) cake.layers.resize(index + 1);
    cake.layers[index].push_back(c);
  }
  return cake;
}

std::string FormatLayers(const LayerCake& cake) {
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
  };
  std::string out;
  for (size_t i = 0; i < cake.layers.size(); ++i) {
    out += "layer " + std::to_string(i + 1) + "\n";
    for (const ControllerInfo& c : cake.layers[i]) {
      out += "  " + c.name + ": " + c.summary + "\n";
      out += "    reads   " + join(c.inputs) + "\n";
      if (!c.observes.empty()) out += "    watches " + join(c.observes) + "\n";
      out += "    writes  " + join(c.outputs) + " under " + c.prefix + "\n";
    }
  }
  out += "start-up order (bottom first): " + join(cake.StartOrder()) + "\n";
  return out;
}

}  // namespace strata::controller
