#!/usr/bin/env bash
# The tests run the store against a real PostgreSQL server. Install Debian's if it is missing
# (CI runs as root on a Debian machine); the tests start their own throwaway cluster.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "PostgreSQL is not installed and cannot be installed here: install Debian's 'postgresql' package," >&2
  echo "or set BOT_TEST_POSTGRES_URL to a server the tests may use." >&2
  exit 0  # the PostgreSQL tests then fail with this reason (under CI=true a skip is a failure)
fi
echo "==> Installing PostgreSQL from Debian's packages (for the database tests)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
