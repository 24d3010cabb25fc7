#include "reconciler/plan/render.h"

#include <nlohmann/json.hpp>

namespace strata::plan {
namespace {

constexpr size_t kFieldsShown = 8;  // per file, in text and Markdown; JSON has them all

char Marker(PlannedChange::Action action) {
  switch (action) {
    case PlannedChange::Action::kCreate:
      return '+';
    case PlannedChange::Action::kDelete:
      return '-';
    case PlannedChange::Action::kUpdate:
      break;
  }
  return '~';
}

const char* ActionName(PlannedChange::Action action) {
  switch (action) {
    case PlannedChange::Action::kCreate:
      return "create";
    case PlannedChange::Action::kDelete:
      return "delete";
    case PlannedChange::Action::kUpdate:
      break;
  }
  return "update";
}

std::string ErrorText(const EventError& e) {
  std::string out = e.file;
  if (e.line > 0) out += ":" + std::to_string(e.line) + ":" + std::to_string(e.column);
  out += ": ";
  if (!e.field.empty()) out += e.field + ": ";
  return out + e.message;
}

struct Totals {
  int created = 0, updated = 0, deleted = 0;
};

Totals Count(const PlanResult& plan) {
  Totals t;
  for (const PlannedChange& c : plan.changes) {
    ++(c.action == PlannedChange::Action::kCreate   ? t.created
       : c.action == PlannedChange::Action::kDelete ? t.deleted
                                                    : t.updated);
  }
  return t;
}

std::string Headline(const PlanResult& plan) {
  if (!plan.problems.empty()) {
    return std::to_string(plan.problems.size()) + " problem" +
           (plan.problems.size() == 1 ? "" : "s") + ": the control plane would refuse this change";
  }
  if (plan.changes.empty()) return "no downstream change";
  Totals t = Count(plan);
  return std::to_string(plan.changes.size()) + " downstream file" +
         (plan.changes.size() == 1 ? "" : "s") + " to change (" + std::to_string(t.created) +
         " to create, " + std::to_string(t.updated) + " to update, " + std::to_string(t.deleted) +
         " to delete)";
}

// Slice entries are many and alike: a plan shows one line per satellite instead.
bool IsSliceEntry(const PlannedChange& c) { return c.path.rfind("satellites/", 0) == 0; }

std::string SatelliteLine(const SatellitePlan& s) {
  int total = s.created + s.updated + s.deleted;
  std::string out = "satellite " + s.satellite + ": " + std::to_string(total) + " resource" +
                    (total == 1 ? "" : "s") + " changed (";
  out += std::to_string(s.created) + " new, " + std::to_string(s.updated) + " updated, " +
         std::to_string(s.deleted) + " removed)";
  return out;
}

}  // namespace

std::string RenderText(const PlanResult& plan) {
  std::string out = "strata plan: " + plan.head.substr(0, 12) + " onto " + plan.base.substr(0, 12) +
                    " (" + std::to_string(plan.changed_inputs.size()) + " file" +
                    (plan.changed_inputs.size() == 1 ? "" : "s") +
                    " changed by the pull request)\n";
  if (!plan.problems.empty()) {
    out += "\nRefused:\n";
    for (const PlanProblem& p : plan.problems) {
      out += "  " + p.path + " (" + p.refused_by + ")\n";
      for (const EventError& e : p.errors) out += "    " + ErrorText(e) + "\n";
    }
  }
  int layer = -1;
  std::string controller;
  for (const PlannedChange& c : plan.changes) {
    if (c.layer != layer || c.controller != controller) {
      layer = c.layer;
      controller = c.controller;
      out += "\nlayer " + std::to_string(layer) + " · " + controller + "\n";
      if (controller == "sync") {
        for (const SatellitePlan& s : plan.satellites) out += "  ~ " + SatelliteLine(s) + "\n";
      }
    }
    if (IsSliceEntry(c)) {
      out += std::string("      ") + Marker(c.action) + " " + c.summary + "\n";
      continue;
    }
    out += std::string("  ") + Marker(c.action) + " " + c.summary + "\n      " + c.path + "\n";
    if (c.action == PlannedChange::Action::kUpdate) {
      for (size_t i = 0; i < c.fields.size() && i < kFieldsShown; ++i) {
        out += "        " + specs::FormatFieldChange(c.fields[i]) + "\n";
      }
      if (c.fields.size() > kFieldsShown) {
        out += "        … " + std::to_string(c.fields.size() - kFieldsShown) + " more\n";
      }
    }
  }
  out += "\nPlan: " + Headline(plan) + ".\n";
  return out;
}

std::string RenderJson(const PlanResult& plan) {
  nlohmann::json j;
  j["base"] = plan.base;
  j["head"] = plan.head;
  j["mergeBase"] = plan.merge_base;
  j["changedInputs"] = plan.changed_inputs;
  j["changes"] = nlohmann::json::array();
  for (const PlannedChange& c : plan.changes) {
    nlohmann::json fields = nlohmann::json::array();
    for (const specs::FieldChange& f : c.fields) {
      fields.push_back({{"field", f.path},
                        {"before", f.before.has_value() ? nlohmann::json(*f.before) : nullptr},
                        {"after", f.after.has_value() ? nlohmann::json(*f.after) : nullptr}});
    }
    j["changes"].push_back({{"layer", c.layer},
                            {"controller", c.controller},
                            {"action", ActionName(c.action)},
                            {"path", c.path},
                            {"kind", c.kind},
                            {"name", c.name},
                            {"summary", c.summary},
                            {"fields", fields}});
  }
  j["satellites"] = nlohmann::json::array();
  for (const SatellitePlan& s : plan.satellites) {
    j["satellites"].push_back({{"satellite", s.satellite},
                               {"created", s.created},
                               {"updated", s.updated},
                               {"deleted", s.deleted}});
  }
  j["problems"] = nlohmann::json::array();
  for (const PlanProblem& p : plan.problems) {
    nlohmann::json errors = nlohmann::json::array();
    for (const EventError& e : p.errors) {
      errors.push_back({{"file", e.file},
                        {"line", e.line},
                        {"column", e.column},
                        {"field", e.field},
                        {"message", e.message}});
    }
    j["problems"].push_back(
        {{"path", p.path}, {"key", p.key}, {"refusedBy", p.refused_by}, {"errors", errors}});
  }
  j["exitCode"] = PlanExitCode(plan);
  return j.dump(2) + "\n";
}

std::string RenderMarkdown(const PlanResult& plan) {
  std::string out = "### strata plan: " + Headline(plan) + "\n\n";
  out += "`" + plan.head.substr(0, 12) + "` onto `" + plan.base.substr(0, 12) + "`, " +
         std::to_string(plan.changed_inputs.size()) + " file" +
         (plan.changed_inputs.size() == 1 ? "" : "s") + " changed by this pull request.\n";
  if (!plan.problems.empty()) {
    out += "\n#### Refused\n\n";
    for (const PlanProblem& p : plan.problems) {
      for (const EventError& e : p.errors) {
        out += "- **" + p.refused_by + "** `" + ErrorText(e) + "`\n";
      }
    }
  }
  int layer = -1;
  std::string controller;
  for (const PlannedChange& c : plan.changes) {
    if (c.layer != layer || c.controller != controller) {
      layer = c.layer;
      controller = c.controller;
      out += "\n#### Layer " + std::to_string(layer) + " · " + controller + "\n\n";
      if (controller == "sync") {
        for (const SatellitePlan& s : plan.satellites) out += "- " + SatelliteLine(s) + "\n";
      }
    }
    if (IsSliceEntry(c)) continue;
    out += std::string("- `") + Marker(c.action) + "` " + c.summary + " (`" + c.path + "`)\n";
    if (c.action == PlannedChange::Action::kUpdate && !c.fields.empty()) {
      out += "  <details><summary>" + std::to_string(c.fields.size()) + " field" +
             (c.fields.size() == 1 ? "" : "s") + "</summary>\n\n  ```diff\n";
      for (size_t i = 0; i < c.fields.size() && i < kFieldsShown; ++i) {
        const specs::FieldChange& f = c.fields[i];
        if (f.before.has_value()) out += "  - " + f.path + ": " + *f.before + "\n";
        if (f.after.has_value()) out += "  + " + f.path + ": " + *f.after + "\n";
      }
      out += "  ```\n  </details>\n";
    }
  }
  return out;
}

}  // namespace strata::plan
