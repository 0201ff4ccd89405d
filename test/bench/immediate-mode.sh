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
IDX=$(nsenter -t "$CLI" -n cat /sys/class/net/eth0/iflink)
VETH=$(grep -l "^$IDX\$" /sys/class/net/*/ifindex | cut -d/ -f5)
CLK=$(getconf CLK_TCK)
cpu() { awk -v c="$CLK" '{ split($0, a, ") "); split(a[2], f, " "); printf "%.2f", (f[12]+f[13])/c }' /proc/$1/stat; }
printf '%-6s %-10s %8s %8s %9s %9s %10s\n' rate mode cpu_s hwm_MB ring_MB packets dropped
for rate in $RATES; do
  for mode in immediate default; do
    flag=(); [ $mode = immediate ] && flag=(--immediate-mode)
    err=$(mktemp)
    tcpdump -i "$VETH" "${flag[@]}" -w - -U -n -s 262144 -B 65536 2>"$err" | cat >/dev/null &
    sleep 0.5
    TP=$(pgrep -n -f "^tcpdump -i $VETH")
    nsenter -t "$SRV" -n iperf3 -s -1 -p 5298 >/dev/null 2>&1 &
    sleep 0.3
    nsenter -t "$CLI" -n iperf3 -c "$SIP" -p 5298 -t "$SECS" -b "$rate" >/dev/null 2>&1 || true
    c=$(cpu "$TP")
    hwm=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' /proc/$TP/status)
    ring=$(awk '$6 ~ /packet/ || $6 == "" { split($1, r, "-"); s = strtonum("0x" r[2]) - strtonum("0x" r[1]); if (s > m) m = s } END { printf "%.1f", m/1048576 }' /proc/$TP/maps)
    kill -INT "$TP"; wait || true
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
  nsenter -t "$CLI" -n ping -c 1 -W 1 "$SIP" >/dev/null 2>&1 || true
  while [ "$(stat -c %s "$out")" -le 24 ] && [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 3000 ]; do sleep 0.002; done
  echo "$mode: first record in the output after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  kill -INT $TP; wait $TP || true
  rm -f "$out"
done
