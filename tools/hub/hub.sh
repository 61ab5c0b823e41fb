#!/usr/bin/env bash
# A tcplab class on one machine: Debian's JupyterHub 3.0, one Notebook server and kernels per account.
# Run through tools/lab.sh (make hub, make hub-stop, make hub-test, make classroom), which first installs the
# Debian packages and builds what is shared (lib's jars, the rapaio kernel, the student and teacher copies).
#
#   hub.sh start     shared files, accounts, packets, then the hub in the background (log: $HUB_STATE/hub.log)
#   hub.sh stop      stop the hub (it stops every user's server and kernels), then look for leftovers, end them,
#                    and remove the hub's database, cookie secret and pid files (logs and passwords stay)
#   hub.sh remove-accounts   delete the accounts this script created (for the tests; never an existing account)
#
# Variables (all optional):
#   CLASS=tools/hub/class.txt   the class list (format in that file)
#   HUB_PORT=8017               the port students open (http://127.0.0.1:8017/)
#   HUB_IP=127.0.0.1            the address the hub listens on. Anything but loopback puts PAM passwords and
#                               tokens on the network in clear text: only behind TLS (a reverse proxy with a
#                               certificate, or JupyterHub's ssl_cert/ssl_key) - see README, Teaching a class
#   HUB_STATE=/var/lib/tcplab-hub   database, cookie secret, pid files, hub.log, passwords (root only)
#   TCPLAB_SHARE=/opt/tcplab    the shared read-only lab: jars, kernel, kernelspec, the notebooks' masters
#   HUB_JVM_OPTS=...            the kernel's JVM options (default below: measured for many kernels at once)
#   HUB_CDS=0                   no class-data sharing archive for the kernels (to measure what it saves)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD="$ROOT/build"
CLASS=${CLASS:-$ROOT/tools/hub/class.txt}
HUB_PORT=${HUB_PORT:-8017}
HUB_IP=${HUB_IP:-127.0.0.1}
HUB_STATE=${HUB_STATE:-/var/lib/tcplab-hub}
SHARE=${TCPLAB_SHARE:-/opt/tcplab}
# Fitted to many kernels on one machine (README, Teaching a class: measured with notebooks 02 and 03): a bounded
# heap that gives memory back after a collection, the client compiler only, smaller thread stacks and code cache.
DEFAULT_JVM_OPTS="-XX:+UseSerialGC -Xms32m -Xmx256m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=48m -Xss512k"
HUB_JVM_OPTS=${HUB_JVM_OPTS:-$DEFAULT_JVM_OPTS}
MARK="tcplab hub account" # the comment (GECOS) of accounts this script created
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { printf '[tcplab hub] %s\n' "$*"; }
die() { printf '[tcplab hub] %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "the hub is set up as root (it creates accounts and starts servers as them): sudo make hub"

free_port() { python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
hub_pid() { cat "$HUB_STATE/jupyterhub.pid" 2>/dev/null || true; }

# The class list as "name role" lines (validated), on stdout.
read_class() {
  [ -f "$CLASS" ] || die "CLASS=$CLASS: no such file (the format is in tools/hub/class.txt)"
  local n=0 name role pass rest
  while read -r name role pass rest; do
    [ -n "$name" ] || continue
    [[ $name =~ ^[a-z_][a-z0-9_-]{0,30}$ ]] || die "CLASS=$CLASS: \"$name\" is not a login name (lower-case letters, digits, - and _, at most 31)"
    [ "$name" != root ] || die "CLASS=$CLASS: root cannot be in the class list"
    case "$role" in student|teacher) ;; *) die "CLASS=$CLASS: the role of $name must be student or teacher, not \"$role\"" ;; esac
    echo "$name $role"
    n=$((n + 1))
  done < <(sed 's/#.*//' "$CLASS")
  [ "$n" -gt 0 ] || die "CLASS=$CLASS names no account"
}

password_in_list() { sed 's/#.*//' "$CLASS" | awk -v u="$1" '$1 == u { print $3 }'; }

# Debian's package enables a jupyterhub.service of its own: PAM login for every account of the machine, on
# every interface, port 8000, no TLS. This set-up replaces it: where systemd runs, it is stopped and disabled.
debian_service() {
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    if systemctl is-enabled --quiet jupyterhub.service 2>/dev/null || systemctl is-active --quiet jupyterhub.service 2>/dev/null; then
      systemctl disable --now jupyterhub.service >/dev/null 2>&1 || true
      say "Debian's jupyterhub.service (every interface, port 8000, no TLS) is stopped and disabled: this hub replaces it"
    fi
  else
    say "no systemd here: Debian's jupyterhub.service does not run (make hub starts its own hub)"
  fi
}

# The lab once, read-only, root-owned, world-readable: jars, kernel (+ its class-data sharing archive), kernelspec,
# and the masters of the students' and the teacher's notebooks.
shared_lab() {
  local java="$TCPLAB_JAVA" kdir="$TCPLAB_KERNEL_DIR" k="$SHARE/kernel" opts=() o cp main=org.rapaio.jupyter.kernel.QuickStartMain
  [ -s "$kdir/rapaio-fix.jar" ] || die "$kdir/rapaio-fix.jar is missing: the hub needs the Debian route's patched rapaio kernel (make setup; see build/rapaio-fix.log)"
  local rapaio; rapaio=$(ls "$kdir"/rapaio-jupyter-kernel-*.jar | head -1)
  umask 022
  local stamp
  stamp="$(cat "$ROOT"/lib/target/jars/*.jar "$TCPLAB_STUDENT_NB"/*.ipynb "$TCPLAB_TEACHER_NB"/*.ipynb "$TCPLAB_STUDENT_NB"/zh/*.ipynb "$TCPLAB_TEACHER_NB"/zh/*.ipynb "$rapaio" "$kdir/rapaio-fix.jar" "$ROOT/tools/hub/tcplab_ports.py" 2>/dev/null | cksum) $java $HUB_JVM_OPTS cds=${HUB_CDS:-1}"
  if [ "$(cat "$SHARE/stamp" 2>/dev/null)" = "$stamp" ] && [ -s "$SHARE/jupyter/kernels/java/kernel.json" ]; then
    say "the shared lab in $SHARE is up to date (kernel JVM options: $HUB_JVM_OPTS)"
    return 0
  fi
  rm -rf "$SHARE.new"
  install -d -o root -g root -m 0755 "$SHARE.new" "$SHARE.new/lib/target" "$SHARE.new/kernel" "$SHARE.new/jupyter/kernels/java" \
    "$SHARE.new/notebooks/student/zh" "$SHARE.new/notebooks/teacher/zh"
  cp -r "$ROOT/lib/target/jars" "$SHARE.new/lib/target/"
  cp "$TCPLAB_STUDENT_NB"/*.ipynb "$SHARE.new/notebooks/student/"
  cp "$TCPLAB_TEACHER_NB"/*.ipynb "$SHARE.new/notebooks/teacher/"
  cp "$TCPLAB_STUDENT_NB"/zh/*.ipynb "$SHARE.new/notebooks/student/zh/" 2>/dev/null || true  # the Chinese edition
  cp "$TCPLAB_TEACHER_NB"/zh/*.ipynb "$SHARE.new/notebooks/teacher/zh/" 2>/dev/null || true
  cp "$rapaio" "$kdir/rapaio-fix.jar" "$SHARE.new/kernel/"
  cp "$ROOT/tools/rapaio-fix/LICENSE" "$SHARE.new/kernel/LICENSE-rapaio" 2>/dev/null || true
  install -d -m 0755 "$SHARE.new/python" && install -m 0644 "$ROOT/tools/hub/tcplab_ports.py" "$SHARE.new/python/"
  rm -rf "$SHARE.old"
  [ -d "$SHARE" ] && mv "$SHARE" "$SHARE.old"
  mv "$SHARE.new" "$SHARE"
  rm -rf "$SHARE.old"
  read -r -a opts <<< "$HUB_JVM_OPTS"
  cp="$k/rapaio-fix.jar:$k/$(basename "$rapaio")"
  # the class-data sharing archive again, for these paths and options (an archive is bound to its class path)
  if [ "${HUB_CDS:-1}" = 0 ]; then
    say "HUB_CDS=0: no class-data sharing archive for the hub's kernels"
  elif timeout 180 "$java" "${opts[@]}" -XX:ArchiveClassesAtExit="$k/kernel.jsa" -cp "$cp" "$main" --train >"$HUB_STATE/kernel-cds.log" 2>&1 \
      && [ -s "$k/kernel.jsa" ]; then
    opts+=("-XX:SharedArchiveFile=$k/kernel.jsa" "-Xlog:cds=off" "-Xlog:cds+dynamic=off")
  else
    say "no class-data sharing archive for the hub's kernels (see $HUB_STATE/kernel-cds.log): they start a little slower"
  fi
  local argv="\"$java\""
  for o in "${opts[@]}"; do argv="$argv, \"$o\""; done
  cat > "$SHARE/jupyter/kernels/java/kernel.json" <<JSON
{
  "argv": [$argv, "-cp", "$cp", "$main", "{connection_file}"],
  "display_name": "Java",
  "language": "java",
  "interrupt_mode": "message",
  "env": {"RJK_CLASSPATH": "", "RJK_COMPILER_OPTIONS": "", "RJK_INIT_SCRIPT": "", "RJK_TIMEOUT_MILLIS": "-1"},
  "metadata": {"tcplab": "rapaio-jupyter-kernel with tools/rapaio-fix, installed for the hub by tools/hub/hub.sh"}
}
JSON
  echo "$stamp" > "$SHARE/stamp"
  chmod -R a+rX,go-w "$SHARE"
  say "the shared lab: $SHARE (jars, kernel, kernelspec 'java' for the hub's users; root-owned, read-only for them)"
  say "kernel JVM options: ${opts[*]}"
}

# Accounts of the class list: existing ones are used as they are; missing ones are created with a password
# (from the list, or made up) that goes to $HUB_STATE/passwords. Every home is made private (chmod 700) and gets
# ~/tcplab/notebooks (the student's or the teacher's copies; notebooks already there are kept) beside
# ~/tcplab/lib -> $SHARE/lib, so the first cell's %jars ../lib/target/jars/tcplab.jar holds.
accounts() {
  local name role home pass created=0 kept nb to keepers=0
  touch "$HUB_STATE/passwords"; chmod 600 "$HUB_STATE/passwords"
  while read -r name role; do
    if ! id -u "$name" >/dev/null 2>&1; then
      useradd --create-home --shell /bin/bash --comment "$MARK" "$name"
      pass=$(password_in_list "$name")
      [ -n "$pass" ] || pass=$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')
      echo "$name:$pass" | chpasswd
      sed -i "/^$name /d" "$HUB_STATE/passwords"
      echo "$name $pass" >> "$HUB_STATE/passwords"
      created=$((created + 1))
    fi
    home=$(getent passwd "$name" | cut -d: -f6)
    [ -d "$home" ] || die "the home of $name ($home) does not exist"
    chmod 700 "$home"
    install -d -o "$name" -g "$(id -gn "$name")" -m 0755 "$home/tcplab" "$home/tcplab/notebooks" "$home/tcplab/notebooks/zh"
    ln -sfn "$SHARE/lib" "$home/tcplab/lib"
    kept=0
    for nb in "$SHARE/notebooks/$role"/*.ipynb "$SHARE/notebooks/$role"/zh/*.ipynb; do  # zh/: ../../lib is ~/tcplab/lib
      [ -e "$nb" ] || continue
      to="$home/tcplab/notebooks/${nb#"$SHARE/notebooks/$role/"}"
      if [ -e "$to" ]; then kept=$((kept + 1)); continue; fi
      install -o "$name" -g "$(id -gn "$name")" -m 0644 "$nb" "$to"
    done
    [ "$kept" = 0 ] || keepers=$((keepers + 1))
  done < "$HUB_STATE/class"
  say "accounts: $(wc -l < "$HUB_STATE/class") in the class list ($created created now; passwords of created accounts: $HUB_STATE/passwords); homes chmod 700"
  [ "$keepers" = 0 ] || say "$keepers accounts had notebooks in ~/tcplab/notebooks already: kept as they are (their work), only missing ones copied"
}

# Packets for every account: user namespaces (the lab's private host) where a student may make them, else the
# administrator's step of the student path (a lab-private tcpdump for group tcplab), done here for the class.
packets() {
  local first users
  first=$(awk '$2 == "student" { print $1; exit }' "$HUB_STATE/class")
  [ -n "$first" ] || first=$(awk '{ print $1; exit }' "$HUB_STATE/class")
  if runuser -u "$first" -- env PATH="$SYS_PATH" unshare -rn true 2>/dev/null; then
    say "packets: user namespaces work for $first: every student's scenarios run in the lab's private host (no privilege)"
  else
    users=$(awk '{ printf "%s ", $1 }' "$HUB_STATE/class")
    say "packets: no user namespaces for $first: the administrator's capture step for the class (group tcplab)"
    STUDENTS="$users" "$ROOT/tools/setup/capture-for-students.sh"
  fi
}

netns_count() { # distinct network namespaces of all processes, and named ones
  local a b
  a=$( (find /proc/[0-9]*/ns/net -maxdepth 0 -printf '%l\n' 2>/dev/null || true) | sort -u | wc -l)
  b=$( (ls /run/netns 2>/dev/null || true) | wc -l)
  echo "$a $b"
}

start() {
  local pid hub_internal proxy_api
  install -d -m 0700 "$HUB_STATE"
  pid=$(hub_pid)
  if alive "$pid"; then die "a hub runs already (pid $pid, state $HUB_STATE): make hub-stop first"; fi
  command -v jupyterhub >/dev/null && command -v configurable-http-proxy >/dev/null \
    || die "jupyterhub or configurable-http-proxy is missing (make hub installs Debian's jupyterhub and node-configurable-http-proxy)"
  python3 -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('$HUB_IP', $HUB_PORT))" 2>/dev/null \
    || die "HUB_PORT=$HUB_PORT on $HUB_IP is taken (or not an address of this machine): choose another, e.g. make hub HUB_PORT=8018"
  read_class > "$HUB_STATE/class"
  debian_service
  shared_lab
  accounts
  packets
  netns_count > "$HUB_STATE/netns.before"
  rm -f "$HUB_STATE/jupyterhub.sqlite" "$HUB_STATE/jupyterhub_cookie_secret" "$HUB_STATE/proxy.pid" "$HUB_STATE/leftovers"
  hub_internal=$(free_port); proxy_api=$(free_port)
  echo "$hub_internal" > "$HUB_STATE/hub_api_port"
  local node_path=""
  # the proxy's modules are Debian's (/usr/share/nodejs); a node that is not Debian's does not look there
  env -i PATH="$SYS_PATH" node -e "require('http-proxy')" >/dev/null 2>&1 || node_path=/usr/share/nodejs
  # a clean environment: the hub hands parts of its own to the students' servers
  (cd "$HUB_STATE" && exec setsid env -i PATH="$SYS_PATH" LANG=C.UTF-8 HOME=/root ${node_path:+NODE_PATH=$node_path} \
    TCPLAB_HUB_STATE="$HUB_STATE" TCPLAB_SHARE="$SHARE" TCPLAB_HUB_IP="$HUB_IP" TCPLAB_HUB_PORT="$HUB_PORT" \
    TCPLAB_HUB_INTERNAL_PORT="$hub_internal" TCPLAB_PROXY_API_PORT="$proxy_api" \
    ${TCPLAB_HUB_START_TIMEOUT:+TCPLAB_HUB_START_TIMEOUT=$TCPLAB_HUB_START_TIMEOUT} \
    jupyterhub -f "$ROOT/tools/hub/jupyterhub_config.py" </dev/null >>"$HUB_STATE/hub.log" 2>&1) &
  local url_host=$HUB_IP
  [ "$HUB_IP" = 0.0.0.0 ] || [ -z "$HUB_IP" ] && url_host=127.0.0.1
  if ! python3 - "http://$url_host:$HUB_PORT/hub/api" <<'PY'; then
import sys, time, urllib.request
end = time.monotonic() + 90
while time.monotonic() < end:
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2).read(); sys.exit(0)
    except Exception:
        time.sleep(0.5)
sys.exit(1)
PY
    tail -20 "$HUB_STATE/hub.log" >&2
    stop >/dev/null 2>&1 || true
    die "the hub did not answer within 90 s (log above: $HUB_STATE/hub.log)"
  fi
  say "the hub runs (pid $(hub_pid)): http://$url_host:$HUB_PORT/ ; log $HUB_STATE/hub.log ; make hub-stop stops it"
  if [ "$HUB_IP" != 127.0.0.1 ]; then
    say "WARNING: HUB_IP=$HUB_IP: logins and tokens cross the network in clear text unless TLS is in front (README, Teaching a class)"
  fi
}

# What this hub started, as "pid user comm": every process whose environment names this hub's API (the students'
# servers, their kernels, private hosts, captures and children inherit it). A class member's own login session
# does not have it and is never touched.
hub_processes() {
  local port p
  port=$(cat "$HUB_STATE/hub_api_port" 2>/dev/null) || return 0
  for p in /proc/[0-9]*; do
    if grep -qsz "^JUPYTERHUB_API_URL=http://127.0.0.1:$port/hub/api\$" "$p/environ"; then
      echo "${p#/proc/} $(stat -c %U "$p" 2>/dev/null) $(cat "$p/comm" 2>/dev/null)"
    fi
  done
}

stop() {
  local pid proxy waited=0 left n before after captures held named
  [ -d "$HUB_STATE" ] || { say "no hub state in $HUB_STATE: nothing to stop"; return 0; }
  pid=$(hub_pid)
  proxy=$(cat "$HUB_STATE/proxy.pid" 2>/dev/null || true)
  if alive "$pid"; then
    kill -TERM "$pid"
    while alive "$pid" && [ $waited -lt 120 ]; do sleep 0.5; waited=$((waited + 1)); done
    alive "$pid" && { say "the hub did not end within 60 s: killed"; kill -KILL "$pid" 2>/dev/null || true; }
    say "the hub (pid $pid) stopped; it stopped the servers it had started"
  else
    say "no hub runs (state $HUB_STATE)"
  fi
  sleep 1 # kernels end a moment after their server
  left=$(hub_processes)
  alive "$proxy" && left="$left${left:+$'\n'}$proxy proxy configurable-http-proxy"
  n=$(printf '%s' "$left" | grep -c . || true)
  captures=$(printf '%s\n' "$left" | awk '$3 == "tcpdump" || $3 == "tcplab-capture"' | grep -c . || true)
  held=$(for p in $(printf '%s\n' "$left" | awk '{ print $1 }'); do readlink "/proc/$p/ns/net" 2>/dev/null; done \
    | grep -vx "$(readlink /proc/1/ns/net)" | sort -u | grep -c . || true)
  read -r before _ < "$HUB_STATE/netns.before" 2>/dev/null || before=
  read -r after named < <(netns_count)
  if [ "$n" -gt 0 ]; then
    say "LEFTOVERS after the hub stopped: $n processes (ended now):"
    printf '%s\n' "$left" | sed 's/^/[tcplab hub]   /' | head -20
    printf '%s\n' "$left" | awk '{ print $1 }' | xargs -r kill -TERM 2>/dev/null || true
    sleep 2
    printf '%s\n' "$left" | awk '{ print $1 }' | xargs -r kill -KILL 2>/dev/null || true
  else
    say "leftovers after the hub stopped: none (no server, kernel, private host or capture of this hub, no proxy)"
  fi
  say "network namespaces: $held held by leftovers; on the machine ${before:-?} before the hub, $after now (other users' too); named in /run/netns: $named"
  echo "processes=$n captures=$captures netns=$held netns_before=${before:-?} netns_after=$after" > "$HUB_STATE/leftovers"
  rm -f "$HUB_STATE/jupyterhub.sqlite" "$HUB_STATE/jupyterhub_cookie_secret" "$HUB_STATE/jupyterhub.pid" "$HUB_STATE/proxy.pid"
}

remove_accounts() {
  local name role n=0
  [ -f "$HUB_STATE/class" ] || return 0
  while read -r name role; do
    if [ "$(getent passwd "$name" | cut -d: -f5)" = "$MARK" ]; then
      userdel --remove "$name" 2>/dev/null || userdel "$name"
      sed -i "/^$name /d" "$HUB_STATE/passwords" 2>/dev/null || true
      n=$((n + 1))
    fi
  done < "$HUB_STATE/class"
  say "removed $n accounts created for this class (existing accounts untouched)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  remove-accounts) remove_accounts ;;
  *) die "usage: tools/hub/hub.sh start|stop|remove-accounts (through make hub, make hub-stop)" ;;
esac
