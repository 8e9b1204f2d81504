#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need
# (moto's EC2 server for the live-pull tests, in a virtualenv under target/)
# and runs every test. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
venv="$target/moto-venv"
if [ ! -x "$venv/bin/moto_server" ]; then
  echo "tests/run.sh: installing moto into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.*'
fi
export VPCREACH_MOTO_PYTHON="$PWD/$venv/bin/python"
case "$venv" in /*) export VPCREACH_MOTO_PYTHON="$venv/bin/python" ;; esac

# The diagram tests open reports in a real browser and render DOT with
# Graphviz (tests/browser.rs, tests/diagram.rs): Debian packages, installed
# only when missing. In CI those tests fail rather than skip without them.
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v dot >/dev/null 2>&1 || missing="$missing graphviz"
if [ -n "$missing" ]; then
  echo "tests/run.sh: installing$missing" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  $sudo apt-get install -y -qq $missing
fi

# Property tests draw from one fixed seed here, so that CI is reproducible
# and a failure replays exactly; `cargo test` run directly (without
# PROPTEST_RNG_SEED) explores new random cases (docs/reliability.md).
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261208}"

# Tests only: criterion benches in test mode would run whole benchmark
# workloads unoptimised. Benches are type-checked so they cannot rot.
cargo test --lib --bins --tests "$@"
cargo check --benches --quiet
