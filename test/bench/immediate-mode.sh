#!/usr/bin/env bash
# tcpdump with and without --immediate-mode, as the helper runs it (-w - -U into
# a pipe, -B 65536, -s 262144), on the host veth of one of our own containers
# while iperf3 runs between two of our containers (bounded). Reports CPU
# (utime+stime from /proc), peak RSS (VmHWM), the packet ring's mapping size,
# packets and drops; and the delay from a single ping to its record in the pipe.
# usage: bash test/bench/immediate-mode.sh [rates...]   (default: 200M 1G)
set -euo pipefail
export DOCKER_HOST=unix:///tmp/vethscope-test/docker.sock
SECS=${SECS:-4}
RATES=${*:-200M 1G}
LABEL=vethscope.test=vsq2-imm
IMG=vethscope-test/busybox:1
cleanup() { docker rm -f vsq2-imm-srv vsq2-imm-cli >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
docker run -d --name vsq2-imm-srv --label $LABEL $IMG sleep 100000 >/dev/null
docker run -d --name vsq2-imm-cli --label $LABEL $IMG sleep 100000 >/dev/null
SRV=$(docker inspect -f '{{.State.Pid}}' vsq2-imm-srv)
CLI=$(docker inspect -f '{{.State.Pid}}' vsq2-imm-cli)
SIP=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' vsq2-imm-srv)
# The container's eth0 is "eth0@ifN": N is its host peer's ifindex (/sys is the host's, so ask ip inside).
IDX=$(nsenter -t "$CLI" -n ip -o link show eth0 | sed -n 's/.*eth0@if\([0-9]*\).*/\1/p')
VETH=$(ip -o link show | awk -F': ' -v i="$IDX" '$1 == i { sub(/@.*/, "", $2); print $2 }')
case "$VETH" in veth*) ;; *) echo "host peer of vsq2-imm-cli not found (got '$VETH')" >&2; exit 1 ;; esac
CLK=$(getconf CLK_TCK)
cpu() { awk -v c="$CLK" '{ split($0, a, ") "); split(a[2], f, " "); printf "%.2f", (f[12]+f[13])/c }' /proc/$1/stat; }
printf '%-6s %-10s %8s %8s %9s %9s %10s\n' rate mode cpu_s hwm_MB ring_MB packets dropped
for rate in $RATES; do
  for mode in immediate default; do
    flag=(); [ $mode = immediate ] && flag=(--immediate-mode)
    err=$(mktemp)
    tcpdump -i "$VETH" "${flag[@]}" -w - -U -n -s 262144 -B 65536 2>"$err" | cat >/dev/null &
    PIPE=$!
    sleep 0.5
    TP=$(pgrep -n -f "^tcpdump -i $VETH ")
    timeout $((SECS + 5)) nsenter -t "$SRV" -n iperf3 -s -1 -p 5298 >/dev/null 2>&1 &
    SP=$!
    sleep 0.3
    timeout $((SECS + 5)) nsenter -t "$CLI" -n iperf3 -c "$SIP" -p 5298 -t "$SECS" -b "$rate" >/dev/null 2>&1 || true
    c=$(cpu "$TP")
    hwm=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' /proc/$TP/status)
    ring=$(python3 -c 'import sys; print("%.1f" % (max([int(b, 16) - int(a, 16) for a, b in (l.split()[0].split("-") for l in open("/proc/%s/maps" % sys.argv[1]) if "packet" in l)] or [0]) / 1048576))' "$TP")
    kill -INT "$TP"; wait "$PIPE" || true; wait "$SP" 2>/dev/null || true
    printf '%-6s %-10s %8s %8s %9s %9s %10s\n' "$rate" "$mode" "$c" "$hwm" "$ring" "$(grep -o '[0-9]* packets captured' "$err" | cut -d' ' -f1)" "$(grep -o '[0-9]* packets dropped' "$err" | cut -d' ' -f1)"
    rm -f "$err"
  done
done
# Latency: one ping, how long until its record reaches the pipe (no traffic otherwise).
for mode in immediate default; do
  flag=(); [ $mode = immediate ] && flag=(--immediate-mode)
  out=$(mktemp)
  tcpdump -i "$VETH" "${flag[@]}" -w - -U -n -s 262144 -B 65536 icmp 2>/dev/null >"$out" &
  TP=$!
  sleep 0.5
  t0=$(date +%s%N)
  timeout 3 nsenter -t "$CLI" -n busybox ping -c 1 -W 1 "$SIP" >/dev/null 2>&1 || true
  while [ "$(stat -c %s "$out")" -le 24 ] && [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 3000 ]; do sleep 0.002; done
  echo "$mode: first record in the output after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  kill -INT $TP; wait $TP || true
  rm -f "$out"
done
