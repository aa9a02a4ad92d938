#!/usr/bin/env bash
# A single Garage node on 127.0.0.1, for testing vellum on S3-compatible storage.
#
#   eval "$(scripts/garage.sh start)"   # start it; prints export AWS_... lines
#   VELLUM_TEST_S3=1 cargo test --test s3_garage
#   scripts/garage.sh stop              # stop it and remove its data
#
# Garage is taken from PATH, else ~/.cargo/bin/garage, else built with
# `cargo install garage --locked` (about 10-30 minutes). The node keeps its
# data in a temporary directory ($VELLUM_GARAGE_DIR, default
# /tmp/vellum-garage-$PORT) with a fresh RPC secret; it serves S3 on
# $VELLUM_GARAGE_PORT (default 3900; RPC and admin on the next ports), has
# one key and one bucket ($VELLUM_GARAGE_BUCKET, default vellum-test).
# Everything but the export lines goes to stderr.
set -euo pipefail

PORT=${VELLUM_GARAGE_PORT:-3900}
STATE=${VELLUM_GARAGE_DIR:-${TMPDIR:-/tmp}/vellum-garage-$PORT}
BUCKET=${VELLUM_GARAGE_BUCKET:-vellum-test}
say() { echo "garage.sh: $*" >&2; }

find_garage() {
  if command -v garage >/dev/null 2>&1; then
    command -v garage
  elif [ -x "$HOME/.cargo/bin/garage" ]; then
    echo "$HOME/.cargo/bin/garage"
  else
    return 1
  fi
}

install_garage() {
  if ! find_garage >/dev/null; then
    say "garage not found: building it with cargo install garage --locked (10-30 minutes)"
    cargo install garage --locked --no-default-features --features bundled-libs,sqlite >&2
  fi
  find_garage
}

start() {
  local garage
  garage=$(install_garage)
  if [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
    say "already running (pid $(cat "$STATE/pid"))"
    cat "$STATE/env"
    return
  fi
  rm -rf "$STATE"
  mkdir -p "$STATE"
  local secret token
  secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  cat >"$STATE/garage.toml" <<EOF
metadata_dir = "$STATE/meta"
data_dir = "$STATE/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$((PORT + 1))"
rpc_public_addr = "127.0.0.1:$((PORT + 1))"
rpc_secret = "$secret"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$PORT"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:$((PORT + 2))"
admin_token = "$token"
EOF
  local g=("$garage" -c "$STATE/garage.toml")
  nohup "${g[@]}" server >"$STATE/server.log" 2>&1 &
  echo $! >"$STATE/pid"
  say "started $garage (pid $!), data in $STATE"
  local i
  for i in $(seq 1 60); do
    if "${g[@]}" status >/dev/null 2>&1; then break; fi
    if ! kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
      say "garage exited; its log:"; cat "$STATE/server.log" >&2; exit 2
    fi
    sleep 1
  done
  local node
  node=$("${g[@]}" node id -q 2>/dev/null | cut -c1-64)
  "${g[@]}" layout assign -z dc1 -c 1G "$node" >&2
  "${g[@]}" layout apply --version 1 >&2
  local out key secret_key
  out=$("${g[@]}" key create vellum-key)
  # Garage prints "Key ID:  GK…" (tabs in some versions, spaces in 2.x).
  key=$(printf '%s\n' "$out" | sed -n 's/^Key ID:[[:space:]]*//p' | tr -d ' \t')
  secret_key=$(printf '%s\n' "$out" | sed -n 's/^Secret key:[[:space:]]*//p' | tr -d ' \t')
  if [ -z "$key" ] || [ -z "$secret_key" ]; then
    say "could not read the new key from: $out"; stop; exit 2
  fi
  "${g[@]}" bucket create "$BUCKET" >&2
  "${g[@]}" bucket allow --read --write --owner "$BUCKET" --key vellum-key >&2
  cat >"$STATE/env" <<EOF
export AWS_ACCESS_KEY_ID=$key
export AWS_SECRET_ACCESS_KEY=$secret_key
export AWS_REGION=garage
export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT
export AWS_ALLOW_HTTP=true
export VELLUM_TEST_S3_BUCKET=$BUCKET
export VELLUM_GARAGE_STATE=$STATE
EOF
  cat "$STATE/env"
}

stop() {
  if [ -f "$STATE/pid" ]; then
    local pid
    pid=$(cat "$STATE/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    say "stopped (pid $pid)"
  fi
  rm -rf "$STATE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  install) install_garage >/dev/null ;;
  *) echo "usage: scripts/garage.sh start|stop|install" >&2; exit 2 ;;
esac
