#include "reconciler/rollout_cli/line_diff.h"

#include <algorithm>
#include <vector>

namespace strata::rollout_cli {
namespace {

constexpr size_t kMaxPairs = 1'000'000;

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

struct Op {
  char kind;  // ' ', '-' or '+'
  std::string_view line;
  int old_before;  // old lines before this one
  int new_before;  // new lines before this one
};

std::vector<Op> Script(const std::vector<std::string_view>& a,
                       const std::vector<std::string_view>& b) {
  size_t n = a.size(), m = b.size();
  std::vector<Op> ops;
  int old_seen = 0, new_seen = 0;
  auto push = [&](char kind, std::string_view line) {
    ops.push_back({kind, line, old_seen, new_seen});
    if (kind != '+') ++old_seen;
    if (kind != '-') ++new_seen;
  };
  if (n * m > kMaxPairs) {
    for (std::string_view line : a) push('-', line);
    for (std::string_view line : b) push('+', line);
    return ops;
  }
  // lcs[i][j]: the longest common subsequence of a[i:] and b[j:].
  std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      push(' ', a[i++]);
      ++j;
    } else if (j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j])) {
      push('+', b[j++]);
    } else {
      push('-', a[i++]);
    }
  }
  return ops;
}

}  // namespace

std::string UnifiedDiff(const std::string& path, std::string_view before, std::string_view after) {
  if (before == after) return "";
  std::vector<Op> ops = Script(Lines(before), Lines(after));
  std::string out = "--- a/" + path + "\n+++ b/" + path + "\n";
  size_t at = 0;
  while (at < ops.size()) {
    while (at < ops.size() && ops[at].kind == ' ') ++at;
    if (at == ops.size()) break;
    // A hunk: from kDiffContext lines before this change to kDiffContext lines after the last
    // change that is at most 2 × kDiffContext unchanged lines from the one before it.
    size_t start = at >= kDiffContext ? at - kDiffContext : 0;
    size_t end = at;
    while (true) {
      while (end < ops.size() && ops[end].kind != ' ') ++end;
      size_t next = end;
      while (next < ops.size() && ops[next].kind == ' ') ++next;
      if (next < ops.size() && next - end <= 2 * kDiffContext) {
        end = next;
        continue;
      }
      end = std::min(ops.size(), end + kDiffContext);
      break;
    }
    int old_count = 0, new_count = 0;
    for (size_t k = start; k < end; ++k) {
      if (ops[k].kind != '+') ++old_count;
      if (ops[k].kind != '-') ++new_count;
    }
    int old_start = ops[start].old_before + (old_count > 0 ? 1 : 0);
    int new_start = ops[start].new_before + (new_count > 0 ? 1 : 0);
    out += "@@ -" + std::to_string(old_start) + "," + std::to_string(old_count) + " +" +
           std::to_string(new_start) + "," + std::to_string(new_count) + " @@\n";
    for (size_t k = start; k < end; ++k) {
      out += ops[k].kind;
      out += ops[k].line;
      out += '\n';
    }
    at = end;
  }
  return out;
}

}  // namespace strata::rollout_cli
