#!/usr/bin/env bash
# Installs LuaJIT (Debian package `luajit`), the runtime the Lua tier runs the gateway's Lua
# filter under (test/lua/): Envoy runs its Lua filters on LuaJIT too
# (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/lua_filter).
#
# Idempotent: when `luajit` is on PATH nothing is installed (well under a second). Otherwise, as
# root, one `apt-get update` and `apt-get install -y luajit`. Prints one line:
#   "luajit <version> cached|installed in <n>s (<path>)".
set -euo pipefail

if command -v luajit >/dev/null 2>&1; then
  echo "luajit $(luajit -v | awk '{print $2}') cached ($(command -v luajit))"
  exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "setup-luajit: luajit is missing and installing it needs root (apt-get install -y luajit)" >&2
  exit 1
fi
start=$SECONDS
export DEBIAN_FRONTEND=noninteractive
apt-get update >/dev/null
apt-get install -y --no-install-recommends luajit >/dev/null
echo "luajit $(luajit -v | awk '{print $2}') installed in $((SECONDS - start))s ($(command -v luajit))"
