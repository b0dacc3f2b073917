#!/usr/bin/env bash
# What the browser test of the anslagstavla needs: Debian's Chromium (/usr/bin/chromium) and
# axe-core from the npm registry (tests/web/node_modules, pinned by tests/web/package-lock.json).
# Never fails `make test`: where something cannot be installed the test skips and says why.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q chromium >/dev/null 2>&1 \
            || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null; } \
            || echo "ensure-browser: apt-get install chromium failed" >&2
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
            || echo "ensure-browser: sudo apt-get install chromium failed" >&2
    else
        echo "ensure-browser: /usr/bin/chromium is missing and apt-get needs root" >&2
    fi
fi

if [ ! -f tests/web/node_modules/axe-core/axe.min.js ]; then
    if command -v npm >/dev/null 2>&1; then
        npm ci --prefix tests/web --no-audit --no-fund --loglevel=error >/dev/null \
            || echo "ensure-browser: npm ci in tests/web failed" >&2
    else
        echo "ensure-browser: npm is missing, so axe-core cannot be installed" >&2
    fi
fi
exit 0
