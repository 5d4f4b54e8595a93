#!/usr/bin/env bash
# What the tests need besides Python: a PostgreSQL server (the store runs against a real one), a
# real browser (the web chat is tested in headless Chromium), nginx (the shipped reverse-proxy
# configuration, deploy/nginx, is tested in front of the real servers) and Redis (Rasa's lock store
# when several Rasa servers share the conversations, tests/e2e/test_scale_out.py). Installed from Debian's
# packages when missing (CI runs as root on a Debian machine); the tests start and stop their own
# instances. axe-core (the accessibility rules the browser tests run in the page) comes from the
# npm registry into .tools/, pinned.
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.14.1

axe() {
  [ -f .tools/node_modules/axe-core/axe.min.js ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is needed to fetch axe-core for the browser tests (Debian's package: npm)." >&2
    return 0  # the accessibility tests then fail with this reason
  fi
  echo "==> Fetching axe-core $AXE_VERSION from the npm registry (for the browser tests)"
  mkdir -p .tools
  npm install --prefix .tools --no-audit --no-fund --silent "axe-core@$AXE_VERSION" >/dev/null
}

need=()
command -v npm >/dev/null 2>&1 || need+=(npm)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || need+=(nginx)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -eq 0 ]; then axe; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "Missing for the tests: ${need[*]}. Install Debian's packages of those names." >&2
  axe
  exit 0  # the tests that need them then fail with this reason (under CI=true a skip is a failure)
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian 12 still has nginx-light (fewer modules, all the deployment needs); later releases only nginx.
packages=()
for package in "${need[@]}"; do
  if [ "$package" = nginx ] && apt-cache show nginx-light >/dev/null 2>&1; then package=nginx-light; fi
  packages+=("$package")
done
echo "==> Installing ${packages[*]} from Debian's packages (for the tests)"
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# The package starts nginx with Debian's default site where an init system lets it; the tests run
# their own, so stop the one just installed and keep it from starting at boot.
for service in nginx redis-server; do
  if [[ " ${need[*]} " == *" $service "* ]] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now "$service" >/dev/null 2>&1 || true
  fi
done
axe
