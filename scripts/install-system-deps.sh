#!/usr/bin/env bash
# Debian packages the suites need; installs only what is missing (root only).
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have dockerd || need+=(docker.io)
have tcpdump || need+=(tcpdump)
have tshark || need+=(tshark)
have ip || need+=(iproute2)
[ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 && dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
have chromium || need+=(chromium)
have sudo || need+=(sudo)
have iperf3 || need+=(iperf3)
have setpriv || need+=(util-linux)
have nsenter || need+=(util-linux)
have iptables || need+=(iptables)
if [ ${#need[@]} -eq 0 ]; then echo "system packages: all present"; exit 0; fi
echo "installing: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${need[@]}"
