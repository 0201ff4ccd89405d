#!/usr/bin/env bash
# A "remote host" built on this machine for the remote-host suites (issue 15):
#   remote-host.sh up NAME N KEY_PUB IMAGE_TAR   build host NAME (10.226.N.2, reached from here at 10.226.N.1)
#   remote-host.sh down NAME N                   remove everything `up` made, whatever state it is in
# Its own network namespace (/run/netns/vsr-NAME, one veth to this machine's namespace with
# private addresses), its own mount, PID and UTS namespaces (unshare: own /proc, hostname NAME,
# /run a tmpfs), sshd on 10.226.N.2:22 with its own host key and only KEY_PUB authorized (root
# login by key, no password), and its own dockerd (own data-root, exec-root, pidfile, sockets,
# bridge 10.227.N.0/24, --iptables=false --ip-masq=false) with IMAGE_TAR (docker save) loaded.
# Everything lives in /tmp/vethscope-remote/NAME and /run/netns/vsr-NAME. Prints KEY=VALUE lines:
# PID (the host's pid 1, as seen here), ADDR, DOCKER_HOST (a socket reachable from here), HOSTKEY.
set -euo pipefail
cmd=${1:-}; NAME=${2:-}; N=${3:-}
[[ "$NAME" =~ ^[a-z][a-z0-9]{0,7}$ && "$N" =~ ^[0-9]{1,2}$ ]] || { echo "usage: $0 up|down NAME N [KEY_PUB IMAGE_TAR]" >&2; exit 64; }
D=/tmp/vethscope-remote/$NAME
NS=vsr-$NAME
HOSTIF=vsrh-$NAME
ADDR=10.226.$N.2
log() { printf 'remote-host.sh %s: %s\n' "$NAME" "$*" >&2; }

down() {
  if [ -f "$D/init.pid" ]; then
    local pid; pid=$(cat "$D/init.pid")
    # The unshare child is pid 1 there: killing it ends every process of that PID namespace.
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  # Containers' shims may linger a moment after their PID namespace's pid 1 died.
  pkill_ns() { local p; for p in $(ls /proc | grep -E '^[0-9]+$'); do [ "$(stat -L -c %i /proc/$p/ns/net 2>/dev/null)" = "$1" ] && kill -KILL "$p" 2>/dev/null; done; return 0; }
  if [ -e "/run/netns/$NS" ]; then pkill_ns "$(stat -L -c %i "/run/netns/$NS")"; fi
  ip link del "$HOSTIF" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  # Its mounts lived in its own mount namespace (private propagation): gone with it.
  rm -rf "$D"
}

up() {
  local keypub=$4 image=$5
  down
  mkdir -p "$D/data" "$D/ssh"
  chmod 700 "$D"
  ip netns add "$NS"
  ip link add "$HOSTIF" type veth peer name eth0 netns "$NS"
  ip addr add "10.226.$N.1/24" dev "$HOSTIF"
  ip link set "$HOSTIF" up
  ip -n "$NS" addr add "$ADDR/24" dev eth0
  ip -n "$NS" link set eth0 up
  ip -n "$NS" link set lo up
  ssh-keygen -q -t ed25519 -N '' -C "vethscope-test-$NAME" -f "$D/ssh/host_key" >/dev/null
  cp "$keypub" "$D/ssh/authorized_keys"
  cat >"$D/ssh/sshd_config" <<EOF
ListenAddress $ADDR
Port 22
HostKey $D/ssh/host_key
AuthorizedKeysFile $D/ssh/authorized_keys
PidFile /run/sshd.pid
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
MaxSessions 64
MaxStartups 64
EOF
  cat >"$D/init.sh" <<EOF
#!/bin/sh
# pid 1 of host $NAME: its hostname, /run, a sysfs of its own namespace, sshd, dockerd.
set -e
hostname $NAME
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/sshd /run/netns /run/docker-exec $D/cg
# A fresh sysfs shows this namespace's interfaces; the cgroup tree is put back over it (dockerd needs it).
mount --rbind /sys/fs/cgroup $D/cg
mount -t sysfs sysfs /sys
mount --rbind $D/cg /sys/fs/cgroup
/usr/sbin/sshd -f $D/ssh/sshd_config -E $D/sshd.log
dockerd --data-root $D/data --exec-root /run/docker-exec --pidfile /run/docker.pid \\
  -H unix:///run/docker.sock -H unix://$D/docker.sock --bip 10.227.$N.1/24 \\
  --iptables=false --ip-masq=false --ip-forward=false --userland-proxy=false --storage-driver vfs \\
  >$D/dockerd.log 2>&1 &
exec sleep infinity
EOF
  chmod 700 "$D/init.sh"
  # setsid: the host outlives this script, not the machine (down kills it).
  setsid nsenter --net="/run/netns/$NS" unshare --mount --pid --uts --fork --kill-child --mount-proc --propagation private -- /bin/sh "$D/init.sh" \
    >"$D/init.log" 2>&1 </dev/null &
  echo $! >"$D/nsenter.pid"
  local pid="" i
  # setsid and nsenter exec: $! is unshare, and its one child is pid 1 there.
  for i in $(seq 1 100); do
    pid=$(pgrep -P "$(cat "$D/nsenter.pid")" 2>/dev/null | head -1 || true)
    [ -n "$pid" ] && break
    sleep 0.05
  done
  [ -n "$pid" ] || { log "pid 1 did not start"; cat "$D/init.log" >&2; exit 1; }
  [ "$(stat -L -c %i "/proc/$pid/ns/net")" = "$(stat -L -c %i "/run/netns/$NS")" ] || { log "pid $pid is not in $NS"; exit 1; }
  echo "$pid" >"$D/init.pid"
  export DOCKER_HOST=unix://$D/docker.sock
  for i in $(seq 1 200); do docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && break; sleep 0.1; done
  docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || { log "dockerd did not come up"; tail -20 "$D/dockerd.log" >&2; cat "$D/init.log" >&2; exit 1; }
  docker load -q -i "$image" >/dev/null
  for i in $(seq 1 200); do nsenter --net="/run/netns/$NS" ss -ltn 2>/dev/null | grep -q "$ADDR:22" && break; sleep 0.05; done
  nsenter --net="/run/netns/$NS" ss -ltn 2>/dev/null | grep -q "$ADDR:22" || { log "sshd is not listening on $ADDR:22"; cat "$D/sshd.log" "$D/init.log" >&2; exit 1; }
  echo "PID=$pid"
  echo "ADDR=$ADDR"
  echo "DOCKER_HOST=$DOCKER_HOST"
  echo "HOSTKEY=$(cut -d' ' -f1,2 "$D/ssh/host_key.pub")"
}

case "$cmd" in
  up) up "$@" ;;
  down) down ;;
  *) echo "usage: $0 up|down NAME N [KEY_PUB IMAGE_TAR]" >&2; exit 64 ;;
esac
