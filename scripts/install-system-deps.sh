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
# Other engines, named and captured by test/integration/engines (issue 11): Podman (rootful,
# pods via catatonit, rootless via uidmap and slirp4netns), containerd with ctr and the CNI
# plugins, LXC, systemd-nspawn.
have podman || need+=(podman)
have catatonit || need+=(catatonit)
have newuidmap || need+=(uidmap)
have slirp4netns || need+=(slirp4netns)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
have ctr || need+=(containerd)
have lxc-create || need+=(lxc)
have systemd-nspawn || need+=(systemd-container)
# The Debian package's privilege tests (test/integration/packaging/deb.test.ts): sudo above, and pkexec
# with polkitd and a system D-Bus the test starts itself. Without them those 11 tests skip.
have pkexec || need+=(pkexec)
[ -x /usr/lib/polkit-1/polkitd ] || need+=(polkitd)
have dbus-daemon || need+=(dbus-daemon)
have dpkg-deb || need+=(dpkg)
# Remote hosts over SSH (issue 15): the client vethscope runs, and sshd for the suite's own remote hosts.
have ssh || need+=(openssh-client)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
if [ ${#need[@]} -eq 0 ]; then echo "system packages: all present"; exit 0; fi
echo "installing: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${need[@]}"
