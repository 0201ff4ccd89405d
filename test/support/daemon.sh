#!/usr/bin/env bash
# Private Docker daemon and test image shared by every suite.
# usage: daemon.sh start|stop|env|status
# It never touches the machine's own dockerd: own socket, data-root, exec-root,
# pidfile and bridge, and no iptables/masquerade/forwarding changes.
set -euo pipefail
ROOT=${VETHSCOPE_TEST_ROOT:-/tmp/vethscope-test}
BRIDGE=${VETHSCOPE_TEST_BRIDGE:-vsbr0}
BRIDGE_CIDR=${VETHSCOPE_TEST_CIDR:-10.213.0.1/24}
IMAGE=${VETHSCOPE_TEST_IMAGE:-vethscope-test/busybox:1}
SOCK="$ROOT/docker.sock"
export DOCKER_HOST="unix://$SOCK"

log() { printf 'daemon.sh: %s\n' "$*" >&2; }

daemon_up() { [ -S "$SOCK" ] && docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  # Another dockerd may have set FORWARD to DROP with br_netfilter on: let our
  # own bridge talk to itself (and only to itself).
  if command -v iptables >/dev/null 2>&1 && iptables -S FORWARD >/dev/null 2>&1; then
    iptables -C FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null \
      || iptables -I FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT
  fi
}

NOSHELL_IMAGE="${IMAGE%%:*}-noshell:2"

# An image with no shell and no cat: the manual method (docker exec cat iflink) cannot work on it.
# busybox picks its applet from argv[0], so it is installed as /bin/sleep and nothing else.
build_noshell_image() {
  local bare; bare=$(mktemp -d)
  mkdir -p "$bare/bin" "$bare/proc" "$bare/sys" "$bare/dev"
  cp /bin/busybox "$bare/bin/sleep"
  tar -C "$bare" -c . | docker import --change 'ENTRYPOINT ["/bin/sleep"]' --change 'CMD ["100000"]' - "$NOSHELL_IMAGE" >/dev/null
  rm -rf "$bare"
  log "built image $NOSHELL_IMAGE"
}

ensure_image() {
  docker image inspect "$NOSHELL_IMAGE" >/dev/null 2>&1 || build_noshell_image
  docker image inspect "$IMAGE" >/dev/null 2>&1 && return 0
  local rootfs; rootfs=$(mktemp -d)
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
  cp /bin/busybox "$rootfs/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] && continue
    ln -sf busybox "$rootfs/bin/$applet"
  done
  tar -C "$rootfs" -c . | docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - "$IMAGE" >/dev/null
  rm -rf "$rootfs"
  log "built image $IMAGE"
}

start() {
  mkdir -p "$ROOT"
  ensure_bridge
  if ! daemon_up; then
    [ -f "$ROOT/docker.pid" ] && kill "$(cat "$ROOT/docker.pid")" 2>/dev/null && sleep 1 || true
    rm -f "$SOCK" "$ROOT/docker.pid"
    # setsid: the daemon outlives the shell that started it, not the machine.
    setsid dockerd --data-root "$ROOT/data" --exec-root "$ROOT/exec" --pidfile "$ROOT/docker.pid" \
      -H "unix://$SOCK" --bridge "$BRIDGE" --iptables=false --ip-masq=false --ip-forward=false \
      --userland-proxy=false --storage-driver vfs \
      >"$ROOT/dockerd.log" 2>&1 </dev/null &
    local i
    for i in $(seq 1 150); do daemon_up && break; sleep 0.2; done
    daemon_up || { log "dockerd did not come up; see $ROOT/dockerd.log"; tail -20 "$ROOT/dockerd.log" >&2; exit 1; }
  fi
  ensure_image
  echo "DOCKER_HOST=$DOCKER_HOST"
}

stop() {
  if [ -f "$ROOT/docker.pid" ]; then
    local pid; pid=$(cat "$ROOT/docker.pid")
    docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1 || true
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
  if command -v iptables >/dev/null 2>&1; then
    iptables -D FORWARD -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT 2>/dev/null || true
  fi
  ip link del "$BRIDGE" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "DOCKER_HOST=$DOCKER_HOST" ;;
  status) daemon_up && echo up || { echo down; exit 1; } ;;
  *) echo "usage: $0 start|stop|env|status" >&2; exit 64 ;;
esac
