#!/usr/bin/env bash
# Installs what strata needs to build and test on Debian 12, as root (through sudo when run as
# another user): the Debian packages (Chromium for the dashboard's browser test among them), then
# from npm ajv and js-yaml for the schema agreement test and playwright-core for the browser test.
# Safe to run again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then exec sudo bash "$0" "$@"; fi
  echo "run as root: apt-get needs it" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  build-essential cmake ninja-build pkg-config git ca-certificates \
  clang libclang-rt-14-dev lld \
  libgit2-dev libyaml-cpp-dev librdkafka-dev libssl-dev libspdlog-dev libfmt-dev \
  libgtest-dev libgmock-dev libcli11-dev nlohmann-json3-dev libvalijson-dev libbenchmark-dev \
  libcpp-httplib-dev kcat openssh-client procps curl chromium >/dev/null
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
npm ci --silent --no-audit --no-fund --prefix "$here/schema"
npm ci --silent --no-audit --no-fund --prefix "$here/dashboard"
