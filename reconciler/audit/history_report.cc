#include "reconciler/audit/history_report.h"

#include "core/change_event.h"

namespace strata::audit {
namespace {

std::string Short(const std::string& sha) { return sha.substr(0, 7); }

void AppendFields(const FileDiff& diff, const std::string& indent, std::string& out) {
  if (!diff.unreadable.empty()) out += indent + "unreadable YAML (" + diff.unreadable + ")\n";
  for (const specs::FieldChange& f : diff.fields)
    out += indent + specs::FormatFieldChange(f) + "\n";
}

nlohmann::ordered_json FieldsJson(const FileDiff& diff) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::array();
  for (const specs::FieldChange& f : diff.fields) {
    nlohmann::ordered_json field;
    field["path"] = f.path;
    field["before"] = f.before ? nlohmann::ordered_json(*f.before) : nlohmann::ordered_json();
    field["after"] = f.after ? nlohmann::ordered_json(*f.after) : nlohmann::ordered_json();
    fields.push_back(std::move(field));
  }
  return fields;
}

}  // namespace

std::string HistoryText(const History& history, const std::string& branch) {
  std::string out = history.key + " (" + history.path + ") on " + branch + ", newest first\n";
  for (const HistoryEntry& e : history.entries) {
    out += "\ncommit " + Short(e.commit) + "  " + FormatRfc3339Utc(e.time) + "  " + e.author_name + " <" +
           e.author_email + ">\n";
    out += "    " + e.subject + "\n";
    if (!e.renamed_from.empty()) out += "    renamed from " + e.renamed_from + "\n";
    out += "    " + e.file.path + ": " + std::string(FileChangeName(e.file.change)) + "\n";
    AppendFields(e.file, "      ", out);
    // The commits the change caused that wrote none of this resource's files (the same commit
    // of a person's may have touched other resources) are counted, not listed: JSON has them.
    size_t unrelated = 0;
    for (const CausedCommit& c : e.caused) {
      if (c.files.empty()) {
        ++unrelated;
        continue;
      }
      out += "    ↳ " + c.controller + " " + Short(c.commit) + "  " + FormatRfc3339Utc(c.time) + "\n";
      for (const FileDiff& f : c.files) {
        out += "        " + f.path + ": " + std::string(FileChangeName(f.change)) + "\n";
        AppendFields(f, "          ", out);
      }
    }
    if (unrelated > 0) {
      out += "    (and " + std::to_string(unrelated) + " more controller commit" +
             (unrelated == 1 ? "" : "s") + " it caused, about other resources)\n";
    }
  }
  return out;
}

nlohmann::ordered_json HistoryJson(const History& history) {
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const HistoryEntry& e : history.entries) {
    nlohmann::ordered_json entry;
    entry["commit"] = e.commit;
    entry["author"] = {{"name", e.author_name}, {"email", e.author_email}};
    entry["time"] = FormatRfc3339Utc(e.time);
    entry["subject"] = e.subject;
    entry["path"] = e.file.path;
    entry["change"] = FileChangeName(e.file.change);
    if (!e.renamed_from.empty()) entry["renamedFrom"] = e.renamed_from;
    entry["fields"] = FieldsJson(e.file);
    nlohmann::ordered_json caused = nlohmann::ordered_json::array();
    for (const CausedCommit& c : e.caused) {
      nlohmann::ordered_json commit;
      commit["commit"] = c.commit;
      commit["controller"] = c.controller;
      commit["cause"] = c.cause;
      commit["time"] = FormatRfc3339Utc(c.time);
      commit["subject"] = c.subject;
      nlohmann::ordered_json files = nlohmann::ordered_json::array();
      for (const FileDiff& f : c.files) {
        files.push_back(
            {{"path", f.path}, {"change", FileChangeName(f.change)}, {"fields", FieldsJson(f)}});
      }
      commit["files"] = std::move(files);
      caused.push_back(std::move(commit));
    }
    entry["caused"] = std::move(caused);
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace strata::audit
