#!/usr/bin/env bash
# Makes sure the PostgreSQL the tests use answers before they run: TEST_POSTGRES_URL, or
# postgresql+psycopg://postgres@127.0.0.1:5432/test as tests/conftest.py defaults to.
# Probed with the Python driver the bot itself uses (psycopg), so pg_isready need not be on
# PATH. A server on this machine that is installed but stopped is started (pg_ctlcluster).
# PYTHON: the interpreter with psycopg (the Makefile passes .venv/bin/python).
# ENSURE_POSTGRES_WAIT: seconds to wait for the server (30).
set -u
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
export ENSURE_POSTGRES_URL="${TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
WAIT="${ENSURE_POSTGRES_WAIT:-30}"

# The URL travels in the environment, never on a command line `ps` shows.
probe() {
  "$PYTHON" - <<'EOF'
import os
import sys

import psycopg
from sqlalchemy.engine import make_url

url = make_url(os.environ["ENSURE_POSTGRES_URL"])
try:
    psycopg.connect(host=url.host or "127.0.0.1", port=url.port or 5432,
                    user=url.username or "postgres", password=url.password,
                    dbname=url.database or "postgres", connect_timeout=3).close()
except psycopg.Error as error:
    print(str(error).strip().splitlines()[0] if str(error).strip() else "", file=sys.stderr)
    sys.exit(1)
EOF
}

# The URL as it may be shown: without its password.
shown() {
  "$PYTHON" -c 'import os; from sqlalchemy.engine import make_url
print(make_url(os.environ["ENSURE_POSTGRES_URL"]).render_as_string(hide_password=True))'
}

local_server() {
  "$PYTHON" -c 'import os, sys; from sqlalchemy.engine import make_url
sys.exit(0 if (make_url(os.environ["ENSURE_POSTGRES_URL"]).host or "127.0.0.1")
         in ("127.0.0.1", "localhost", "::1") else 1)'
}

if ! "$PYTHON" -c 'import psycopg, sqlalchemy' 2>/dev/null; then
  echo "ensure-postgres: $PYTHON har inte psycopg och SQLAlchemy; kör make test, som installerar dem." >&2
  exit 1
fi
if probe 2>/dev/null; then exit 0; fi
if local_server && command -v pg_ctlcluster >/dev/null 2>&1; then
  for v in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 || true
  done
fi
for _ in $(seq 1 "$WAIT"); do
  probe 2>/dev/null && exit 0
  sleep 1
done
reason="$(probe 2>&1 >/dev/null)"
echo "PostgreSQL svarar inte på $(shown)${reason:+: $reason}." >&2
echo "Se README, avsnittet ”PostgreSQL för make test”, eller ange en annan server i TEST_POSTGRES_URL." >&2
exit 1
