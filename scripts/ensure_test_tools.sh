#!/usr/bin/env bash
# What the tests need besides Python: a PostgreSQL server (the store runs against a real one) and
# a real browser (the web chat is tested in headless Chromium). Installed from Debian's packages
# when missing (CI runs as root on a Debian machine); the tests start and stop their own instances.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "Missing for the tests: ${need[*]}. Install Debian's packages of those names." >&2
  exit 0  # the tests that need them then fail with this reason (under CI=true a skip is a failure)
fi
echo "==> Installing ${need[*]} from Debian's packages (for the tests)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
