// The three faces of a plan: text for a terminal, JSON for scripts, Markdown for a comment on the
// pull request. Pure; thread-safe.
#pragma once

#include <string>

#include "reconciler/plan/plan.h"

namespace strata::plan {

std::string RenderText(const PlanResult& plan);
// {"base","head","mergeBase","changedInputs":[…],"changes":[{"layer","controller","action",
//  "path","kind","name","summary","fields":[{"field","before","after"}]}],
//  "satellites":[{"satellite","created","updated","deleted"}],
//  "problems":[{"path","key","refusedBy","errors":[{"file","line","column","field","message"}]}],
//  "exitCode"}
std::string RenderJson(const PlanResult& plan);
std::string RenderMarkdown(const PlanResult& plan);

}  // namespace strata::plan
