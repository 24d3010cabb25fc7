// strata keys generate: makes the Ed25519 key pair the sync controller signs satellite slices
// with, in OpenSSH's formats (so ssh-keygen and git read them too):
//   strata keys generate --out keys/sync      → keys/sync (private, mode 0600) and keys/sync.pub
// Agents trust the public half (`strata agent --trusted-keys FILE`, one key per line, either the
// .pub line or an allowed_signers line). Rotation: generate a new pair, add its .pub line to the
// agents' trusted keys, restart sync with the new key, then remove the old line: agents re-read the
// file at every verification, so neither step needs an agent restart.

#include <cstdio>
#include <filesystem>

#include "core/ssh_signature.h"
#include "reconciler/cli/commands.h"

namespace strata::cli {
namespace {

int Generate(const std::string& out, const std::string& comment, bool force) {
  std::string pub = out + ".pub";
  if (!force && (std::filesystem::exists(out) || std::filesystem::exists(pub))) {
    std::fprintf(stderr, "strata keys generate: %s already exists (give --force to replace it)\n",
                 out.c_str());
    return kExitError;
  }
  Result<ssh::SigningKey> key = ssh::SigningKey::Generate(comment);
  if (!key.ok()) {
    std::fprintf(stderr, "strata keys generate: %s\n", key.status().ToString().c_str());
    return kExitError;
  }
  if (Status s = key->WriteKeyPair(out); !s.ok()) {
    std::fprintf(stderr, "strata keys generate: %s\n", s.message().c_str());
    return kExitError;
  }
  std::printf("private key  %s\npublic key   %s\nfingerprint  %s\n", out.c_str(), pub.c_str(),
              key->public_key().Fingerprint().c_str());
  return kExitOk;
}

}  // namespace

void AddKeysCommand(CLI::App& app, int* exit_code) {
  CLI::App* keys = app.add_subcommand("keys", "Signing keys for satellite slices");
  keys->require_subcommand(1);
  auto out = std::make_shared<std::string>();
  auto comment = std::make_shared<std::string>("strata-sync");
  auto force = std::make_shared<bool>(false);
  CLI::App* generate = keys->add_subcommand("generate", "Make an Ed25519 key pair in OpenSSH format");
  generate->add_option("--out", *out, "Where to write the private key (the public one gets .pub)")
      ->required();
  generate->add_option("--comment", *comment, "The key's comment")->capture_default_str();
  generate->add_flag("--force", *force, "Replace existing files");
  generate->callback([=] { *exit_code = Generate(*out, *comment, *force); });
}

}  // namespace strata::cli
