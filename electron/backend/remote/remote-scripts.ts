// The fixed command set: every script that ever runs on a remote host is one of these
// constants. No string built from user input reaches a remote shell: the only variable
// parts are positional arguments, each checked against SAFE_ARG here (pids and inodes are
// digits, interface names passed the IfaceName check, the BPF filter is base64), quoted
// once more, and read by the scripts as "$N", never evaluated.

/** What an argument may be: digits, interface-name characters, base64. Nothing a shell interprets inside single quotes, and no quote. */
const SAFE_ARG = /^[A-Za-z0-9_.:@+/=-]{0,8192}$/;

/** One word for a POSIX shell: single-quoted ('\'' for a quote, which only the constant scripts may contain). */
export function shellWord(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The one string ssh hands the remote login shell: `sh -c OUTER vethscope BODY ARGS...`.
 * OUTER becomes root when it can (root login, else `sudo -n`) and passes $SSH_CONNECTION
 * along as $1 (sudo would clear it), so BODY can tell vethscope's own connection apart.
 */
export function remoteCommand(body: string, args: readonly string[] = [], privileged = true): string {
  for (const a of args) if (!SAFE_ARG.test(a)) throw new Error(`refusing a remote argument with characters outside the fixed set: ${JSON.stringify(a.slice(0, 40))}`);
  const outer = privileged ? BECOME_ROOT : AS_LOGIN_USER;
  return ['sh', '-c', shellWord(outer), 'vethscope', shellWord(body), ...args.map(shellWord)].join(' ');
}

/**
 * vethscope's installed helper there, spoken to over the channel's stdio (the helper protocol).
 * sudo runs exactly the helper's path, as the rule install-helper writes allows; never `sh`.
 */
export const RUN_HELPER = `[ "$(id -u)" = 0 ] && exec /usr/lib/vethscope/vethscope-helper
exec sudo -n /usr/lib/vethscope/vethscope-helper`;

const BECOME_ROOT = `b=$1; shift
if [ "$(id -u)" = 0 ]; then exec sh -c "$b" vethscope "\${SSH_CONNECTION:-}" "$@"; fi
if sudo -n true 2>/dev/null; then exec sudo -n sh -c "$b" vethscope "\${SSH_CONNECTION:-}" "$@"; fi
exec sh -c "$b" vethscope "\${SSH_CONNECTION:-}" "$@"`;

const AS_LOGIN_USER = `b=$1; shift; exec sh -c "$b" vethscope "\${SSH_CONNECTION:-}" "$@"`;

const PRELUDE = `export LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin
b64() { base64 -w0; echo; }`;

/** Who we are there, whether vethscope's helper is installed, what is missing, and the clock. */
export const PROBE = `${PRELUDE}
printf 'uid %s\\n' "$(id -u)"
if [ -x /usr/lib/vethscope/vethscope-helper ]; then echo 'helper yes'; else echo 'helper no'; fi
if [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then echo 'root yes'; else echo 'root no'; fi
for t in ip nsenter tcpdump base64 awk find stat; do command -v "$t" >/dev/null 2>&1 || printf 'missing %s\\n' "$t"; done
printf 'now %s\\n' "$(date +%s%N)"`;

/** The clock, once per line read (nanoseconds since the epoch as the remote sees them): round trips over one open channel. */
export const CLOCK = `export LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin
n=0
while [ "$n" -lt 16 ] && read -r _; do date +%s%N; n=$((n + 1)); done`;

/**
 * Discovery in one round trip: every namespace (deduplicated by inode, like kernel/namespaces.ts)
 * with its \`ip -json -details addr\` and /proc/net/dev, the bind-mounted ones, and Docker's
 * containers as \`docker inspect\` prints them. Each section is one line, TAG ARGS BASE64, so no
 * name the remote prints can fake a section; every section is capped.
 */
export const DISCOVER = `${PRELUDE}
echo 'vethscope-discovery 1'
# Docker's three CLI calls run beside the namespace loop (into a private mktemp folder, removed on exit).
t=$(mktemp -d 2>/dev/null) || t=''
[ -n "$t" ] && trap 'rm -rf "$t"' EXIT
docker_part() {
  if ! command -v docker >/dev/null 2>&1; then printf 'dockererr '; printf 'the docker CLI is not installed there' | b64; return; fi
  if [ -n "$t" ]; then docker network ls --no-trunc --format '{{json .}}' 2>/dev/null | head -c 1048576 > "$t/networks" & fi
  if ids=$(docker ps -aq --no-trunc 2>&1); then
    printf 'dockerps '; printf '%s' "$ids" | head -c 1048576 | b64
    if [ -n "$ids" ]; then printf 'inspect '; docker inspect $ids 2>/dev/null | head -c 33554432 | b64; fi
    if [ -n "$t" ]; then wait; printf 'networks '; b64 < "$t/networks"; else printf 'networks '; docker network ls --no-trunc --format '{{json .}}' 2>/dev/null | head -c 1048576 | b64; fi
  else
    printf 'dockererr '; printf '%s' "$ids" | head -c 1024 | b64
  fi
}
if [ -n "$t" ]; then docker_part > "$t/docker" 2>/dev/null & dp=$!; fi
printf 'uid %s\\n' "$(id -u)"
printf 'hostname '; hostname 2>/dev/null | head -c 255 | b64
printf 'hostns %s\\n' "$(stat -L -c %i /proc/1/ns/net 2>/dev/null)"
printf 'sessionns %s\\n' "$(stat -L -c %i /proc/$$/ns/net 2>/dev/null)"
list=$(find /proc/[0-9]*/ns/net -maxdepth 0 -printf '%h %l\\n' 2>/dev/null | awk '{ split($1, p, "/"); i = $2; gsub(/[^0-9]/, "", i); if (i != "") print i, p[3] }' | sort -k1,1n -k2,2n)
printf 'pids '; printf '%s\\n' "$list" | head -c 4194304 | b64
printf '%s\\n' "$list" | awk '!seen[$1]++' | while read -r ino pid; do
  [ -n "$pid" ] || continue
  [ "$(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null)" = "$ino" ] || continue
  printf 'links %s %s ' "$ino" "$pid"; nsenter -t "$pid" -n ip -json -details addr show 2>/dev/null | head -c 4194304 | b64
  printf 'dev %s ' "$ino"; head -c 1048576 "/proc/$pid/net/dev" 2>/dev/null | b64
done
for f in /run/netns/* /run/docker/netns/*; do
  [ -e "$f" ] || continue
  [ "$(stat -f -c %T "$f" 2>/dev/null)" = nsfs ] || continue
  ino=$(stat -L -c %i "$f" 2>/dev/null) || continue
  printf 'bind %s ' "$ino"; printf '%s' "$f" | head -c 4096 | b64
  if ! printf '%s\\n' "$list" | awk -v i="$ino" '$1 == i { found = 1 } END { exit !found }'; then
    printf 'links %s 0 ' "$ino"; nsenter --net="$f" ip -json -details addr show 2>/dev/null | head -c 4194304 | b64
    printf 'dev %s ' "$ino"; nsenter --net="$f" cat /proc/net/dev 2>/dev/null | head -c 1048576 | b64
  fi
done
if [ -n "$t" ]; then wait "$dp"; cat "$t/docker"; else docker_part; fi
echo 'vethscope-end'`;

/**
 * One interface's tcpdump, pcap on stdout. Arguments: pid, namespace inode (checked: the pid
 * must still lead there), interface, snaplen, filter (base64). When the capture point is in the
 * namespace of this SSH session, the session's own packets are excluded (as sshdump does);
 * inside a container's namespace they cannot appear, so nothing is added there. Closing
 * stdin (the local side stopping, or the connection gone) ends tcpdump with SIGTERM, which
 * flushes and prints its counters on stderr.
 */
export const CAPTURE = `${PRELUDE}
exec 3<&0
conn=$1 pid=$2 ino=$3 ifc=$4 snap=$5
case "$pid$ino$snap" in ''|*[!0-9]*) echo 'vethscope: bad arguments' >&2; exit 64;; esac
f=$(printf '%s' "$6" | base64 -d) || { echo 'vethscope: the filter did not decode' >&2; exit 64; }
if [ "$(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null)" != "$ino" ]; then echo "vethscope: target gone: no process $pid in namespace $ino any more" >&2; exit 65; fi
if [ "$ino" = "$(stat -L -c %i /proc/$$/ns/net 2>/dev/null)" ] && [ -n "$conn" ]; then
  set -- $conn
  case "$1 $2 $3 $4" in *[!0-9A-Fa-f:.\\ ]*) echo 'vethscope: SSH_CONNECTION is not addresses and ports' >&2; exit 64;; esac
  ex="not (host $1 and host $3 and tcp port $2 and tcp port $4)"
  if [ -n "$f" ]; then f="($f) and $ex"; else f="$ex"; fi
  echo "vethscope: excluding this SSH connection: $ex" >&2
fi
if [ -n "$f" ]; then
  nsenter -t "$pid" -n tcpdump -i "$ifc" -w - -U -n -s "$snap" --immediate-mode -- "$f" &
else
  nsenter -t "$pid" -n tcpdump -i "$ifc" -w - -U -n -s "$snap" --immediate-mode &
fi
t=$!
( cat <&3 >/dev/null 2>&1; kill -TERM "$t" 2>/dev/null ) >/dev/null 2>&1 &
w=$!
wait "$t"; s=$?
kill "$w" 2>/dev/null
exit "$s"`;

/**
 * One long-lived shell per host that answers requests by name from a fixed set (today only
 * `discover`: the DISCOVER script above, in a subshell, stdin closed), each answer ending in a
 * `vethscope-done` line: a refresh is then one line out and one answer back over an open
 * channel, not a new SSH session (160 ms each here). Anything else asked is refused.
 */
export const SESSION = `discover() (
${DISCOVER}
)
while IFS= read -r req; do
  case "$req" in
    discover) discover </dev/null ;;
    *) echo 'vethscope-unknown-request' ;;
  esac
  echo 'vethscope-done'
done`;
