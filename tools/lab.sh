#!/usr/bin/env bash
# tcplab set-up and run routes, driven by the Makefile:
#   tools/lab.sh setup   Jupyter + a Java kernel named "java" (+ optional tools), nothing global
#   tools/lab.sh test    unit tests, then every notebook headless
#   tools/lab.sh lab     the notebook server on 127.0.0.1 with a token
#   tools/lab.sh run     executed copies of the notebooks in build/executed
#   tools/lab.sh notebooks | pristine | student   notebooks/ from notebooks/src; start over; the handout
# Routes: conda (environment.yml: JupyterLab + IJava, kernel "java") or Debian/Ubuntu (Jupyter from
# apt, the rapaio kernel from Maven Central registered as "java" in build/jupyter). An existing
# "java" kernel (IJava) always wins.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build"
LOCAL_JUPYTER="$BUILD/jupyter"
KERNEL_DIR="$LOCAL_JUPYTER/kernels/java"
RAPAIO_VERSION=3.0.1
APT_JUPYTER="jupyter-notebook jupyter-nbconvert python3-nbclient python3-nbformat python3-jupyter-client"
APT_TOOLS="tcpdump nftables iproute2"
JAR="$ROOT/lib/target/jars/tcplab.jar"

say() { printf '[tcplab] %s\n' "$*"; }
die() { printf '[tcplab] %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

java_bin() {
  local j
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then j="$JAVA_HOME/bin/java"; else j=$(command -v java || true); fi
  [ -n "$j" ] || die "no java found: install a JDK 17 or newer (Debian: apt-get install -y openjdk-17-jdk-headless maven) or set JAVA_HOME."
  local v
  v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [ "${v%%.*}" -ge 17 ] 2>/dev/null || die "$j is Java $v; the lab needs Java 17 or newer (set JAVA_HOME to a JDK 17+)."
  readlink -f "$j"
}

# The first Python that has what the notebooks need (nbclient); for the lab also a server.
find_python() {
  local want="import nbclient, nbformat, jupyter_client" p
  for p in ${CONDA_PREFIX:+"$CONDA_PREFIX/bin/python"} python3 python /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c "$want" >/dev/null 2>&1; then
      if [ "${1:-}" != server ] || "$p" -c "import jupyterlab" >/dev/null 2>&1 || "$p" -c "import notebook" >/dev/null 2>&1; then
        command -v "$p"; return 0
      fi
    fi
  done
  return 1
}

setup_jupyter() {
  if find_python server >/dev/null; then return 0; fi
  if command -v apt-get >/dev/null 2>&1; then
    if is_root; then
      say "Debian/Ubuntu route: installing Jupyter from Debian packages ($APT_JUPYTER)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $APT_JUPYTER >/dev/null
    else
      die "Jupyter is missing. Install it as root with:  sudo apt-get install -y --no-install-recommends $APT_JUPYTER   (or use the conda route: conda env create -f environment.yml), then run make again."
    fi
  else
    die "Jupyter is missing and this is not a Debian/Ubuntu machine: use the conda route (conda env create -f environment.yml; conda activate tcplab)."
  fi
  find_python server >/dev/null || die "Jupyter was installed but no Python can import nbclient and a notebook server."
}

# A tool on the PATH or in the system folders a normal user's PATH often lacks (ip, nft, tcpdump live
# in /usr/sbin or /sbin; the lab's Java code looks there too).
have_tool() {
  command -v "$1" >/dev/null 2>&1 && return 0
  local d
  for d in /usr/local/sbin /usr/sbin /sbin; do [ -x "$d/$1" ] && return 0; done
  return 1
}

# Debian packages, as root: installed quietly (the package lists refreshed once if an install fails).
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
}

# Optional tools for later notebooks (capture, namespaces): installed when root, else reported.
setup_tools() {
  local missing=() t
  for t in tcpdump nft ip; do have_tool "$t" || missing+=("$t"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if command -v apt-get >/dev/null 2>&1 && is_root; then
    say "installing optional tools ($APT_TOOLS)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $APT_TOOLS >/dev/null \
      || say "could not install $APT_TOOLS; notebooks will say what they cannot show"
  else
    say "optional tools missing (${missing[*]}): notebooks will say what they cannot show (root installs them: apt-get install -y $APT_TOOLS)"
  fi
}

# A "java" kernel outside this project (IJava from conda-forge, JJava, one on the user's JUPYTER_PATH)
# wins; otherwise rapaio, locally.
setup_kernel() {
  local py existing java
  py=$(find_python)
  existing=$(env -u JUPYTER_PATH ${USER_JUPYTER_PATH:+JUPYTER_PATH="$USER_JUPYTER_PATH"} "$py" -c "from jupyter_client.kernelspec import KernelSpecManager as K; print(K().find_kernel_specs().get('java',''))" 2>/dev/null || true)
  if [ -n "$existing" ] && [ "$existing" != "$KERNEL_DIR" ]; then
    rm -rf "$KERNEL_DIR"
    echo "existing ($existing)" > "$BUILD/kernel-route"
    return 0
  fi
  java=$(java_bin)
  mkdir -p "$KERNEL_DIR"
  local jar="$KERNEL_DIR/rapaio-jupyter-kernel-$RAPAIO_VERSION.jar"
  if [ ! -s "$jar" ]; then
    say "installing the rapaio Java kernel $RAPAIO_VERSION from Maven Central into build/jupyter (project-local)"
    mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
      -Dartifact=io.github.padreati:rapaio-jupyter-kernel:$RAPAIO_VERSION -DoutputDirectory="$KERNEL_DIR" >/dev/null \
      || die "could not download io.github.padreati:rapaio-jupyter-kernel:$RAPAIO_VERSION from Maven Central."
  fi
  # rapaio 3.0.1 loses the first request of about one start in five and dies on an interrupt:
  # tools/rapaio-fix holds corrected copies of the classes at fault (MIT, see the notice in each),
  # compiled here and put first on the kernel's class path (README in that folder).
  local cp="$jar" main=org.rapaio.jupyter.kernel.MainApp javac_bin jvm_opts='"-XX:+UseSerialGC"' stamp
  stamp="$(cat "$ROOT"/tools/rapaio-fix/*.java | cksum) $java $KERNEL_DIR"
  if [ -s "$KERNEL_DIR/kernel.json" ] && [ "$(cat "$KERNEL_DIR/fix.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "rapaio" > "$BUILD/kernel-route" # compiled and trained before, from the same sources
    return 0
  fi
  rm -f "$KERNEL_DIR/fix.stamp"
  javac_bin="$(dirname "$java")/javac"
  rm -rf "$KERNEL_DIR/fix"
  if [ -x "$javac_bin" ] && "$javac_bin" --release 17 -nowarn -cp "$jar" -d "$KERNEL_DIR/fix" \
      "$ROOT"/tools/rapaio-fix/*.java >"$BUILD/rapaio-fix.log" 2>&1; then
    main=org.rapaio.jupyter.kernel.QuickStartMain # binds the sockets before JShell is built
    cp="$KERNEL_DIR/fix:$jar"
    # a class-data sharing archive of what a start loads (a third less CPU until the sockets answer);
    # it needs jars on the class path. Without it the kernel starts as well, only slower.
    rm -f "$KERNEL_DIR/rapaio-fix.jar" "$KERNEL_DIR/kernel.jsa"
    if "$(dirname "$java")/jar" cf "$KERNEL_DIR/rapaio-fix.jar" -C "$KERNEL_DIR/fix" . \
        && timeout 180 "$java" -XX:+UseSerialGC -XX:ArchiveClassesAtExit="$KERNEL_DIR/kernel.jsa" \
          -cp "$KERNEL_DIR/rapaio-fix.jar:$jar" "$main" --train >"$BUILD/kernel-cds.log" 2>&1 \
        && [ -s "$KERNEL_DIR/kernel.jsa" ]; then
      cp="$KERNEL_DIR/rapaio-fix.jar:$jar"
      jvm_opts="$jvm_opts, \"-XX:SharedArchiveFile=$KERNEL_DIR/kernel.jsa\", \"-Xlog:cds=off\", \"-Xlog:cds+dynamic=off\""
    else
      say "no class-data sharing archive for the kernel (see build/kernel-cds.log): kernels start a little slower"
    fi
  else
    rm -rf "$KERNEL_DIR/fix"
    {
      echo "[tcplab] ================================================================================"
      if [ -x "$javac_bin" ]; then
        echo "[tcplab] ERROR: tools/rapaio-fix does not compile against rapaio $RAPAIO_VERSION ($javac_bin):"
        sed 's/^/[tcplab]   /' "$BUILD/rapaio-fix.log" | head -20
      else
        echo "[tcplab] ERROR: no javac next to $java (a JRE, not a JDK?): tools/rapaio-fix cannot be compiled."
      fi
      echo "[tcplab] The kernel runs UNPATCHED: about one start in five does not answer for 60 s,"
      echo "[tcplab] and the stop button kills the kernel (only a restart helps). Install a JDK 17 and run make setup."
      echo "[tcplab] ================================================================================"
    } >&2
  fi
  cat > "$KERNEL_DIR/kernel.json" <<JSON
{
  "argv": ["$java", $jvm_opts, "-cp", "$cp", "$main", "{connection_file}"],
  "display_name": "Java",
  "language": "java",
  "interrupt_mode": "message",
  "env": {"RJK_CLASSPATH": "", "RJK_COMPILER_OPTIONS": "", "RJK_INIT_SCRIPT": "", "RJK_TIMEOUT_MILLIS": "-1"},
  "metadata": {"tcplab": "rapaio-jupyter-kernel $RAPAIO_VERSION installed by tools/lab.sh"}
}
JSON
  [ "$main" = org.rapaio.jupyter.kernel.MainApp ] || echo "$stamp" > "$KERNEL_DIR/fix.stamp"
  echo "rapaio" > "$BUILD/kernel-route"
}

build_lib() {
  java_bin >/dev/null
  command -v mvn >/dev/null 2>&1 || die "Maven is missing (Debian: apt-get install -y maven; conda: it is in environment.yml)."
  case "${MVN_ARGS:-}" in
    *skipTests*) say "building lib/ (Maven: compile, jars in lib/target/jars; unit tests skipped here, make test runs them)" ;;
    *) say "building lib/ (Maven: compile, unit tests, jars in lib/target/jars)" ;;
  esac
  mvn -B -ntp -Dstyle.color=never -f "$ROOT/lib/pom.xml" ${MVN_ARGS:-} package
}

setup() {
  mkdir -p "$BUILD"
  java_bin >/dev/null
  setup_jupyter
  setup_tools
  setup_kernel
  say "route: $(cat "$BUILD/kernel-route") kernel 'java'; Python: $(find_python)"
}

USER_JUPYTER_PATH=${JUPYTER_PATH:-}  # a kernel "java" found here (IJava, JJava) wins over rapaio
export JUPYTER_PATH="$LOCAL_JUPYTER${JUPYTER_PATH:+:$JUPYTER_PATH}"

# Runs never use the working copies in notebooks/ (a student's edits and autosaved outputs): they use
# notebooks generated afresh from notebooks/src/ into build/notebooks/, executed with notebooks/ as the
# working folder (so the first cell's %jars ../lib/target/jars/tcplab.jar resolves as in the lab).
FRESH="$BUILD/notebooks"
fresh_notebooks() { # once per make target: the sources do not change while it runs
  [ -n "${FRESH_BUILT:-}" ] && return 0
  "$(find_python)" "$ROOT/tools/notebooks/nbgen.py" build --out "$FRESH" >/dev/null
  FRESH_BUILT=1
}

# Both editions: first the Chinese one (build/notebooks/zh, run in notebooks/zh so that its first cell's
# ../../lib resolves; the sweep of 03 lighter: ZH_SET), recorded, then the English one, which prints the total.
ZH_SET=(--set runsPerPoint=5 --set "pausesMillis=new int[] {0, 100}")
run_notebooks() {
  local py zh=(); py=$(find_python)
  fresh_notebooks
  rm -f "$BUILD/zh-results"
  shopt -s nullglob; zh=("$FRESH"/zh/*.ipynb); shopt -u nullglob
  if [ ${#zh[@]} -gt 0 ]; then
    say "the Chinese edition (中文版): ${#zh[@]} notebooks${ZH_SET:+, the sweep of 03 lighter (${ZH_SET[*]})}"
    "$py" "$ROOT/tools/runner/run_notebooks.py" --kernel java --cell-timeout "${CELL_TIMEOUT:-120}" --jobs "${JOBS:-2}" \
      --workdir "$ROOT/notebooks" --out "$BUILD/executed" --logs "$BUILD/kernel-logs" --label "(中文版)" \
      --record "$BUILD/zh-results" "${ZH_SET[@]}" "${zh[@]}" || true
  else
    say "the Chinese edition: no notebooks in ${FRESH#$ROOT/}/zh (notebooks/src/zh is empty): counted as failed"
    echo 0 > "$BUILD/zh-results"
  fi
  say "the English edition"
  "$py" "$ROOT/tools/runner/run_notebooks.py" --kernel java --cell-timeout "${CELL_TIMEOUT:-120}" --jobs "${JOBS:-2}" \
    --workdir "$ROOT/notebooks" --out "$BUILD/executed" --logs "$BUILD/kernel-logs" --total-of "$BUILD/zh-results" "$@" "$FRESH"/*.ipynb
}

# The edition `make lab` opens: LANG=zh (or zh_CN.UTF-8, anything starting with zh) the Chinese one in
# notebooks/zh, else English. The Makefile passes LANG from its command line, else the system locale
# (LC_ALL, LC_MESSAGES, LANG) as TCPLAB_LANG.
edition() {
  case "${TCPLAB_LANG:-${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}}" in
    zh*) echo zh ;;
    *) echo en ;;
  esac
}

# A private copy of the lab for the unprivileged user $STUDENT (make test runs as root): notebooks generated
# afresh, tools, the jars and the kernel, in a folder of its own that the user owns.
STUDENT=${TCPLAB_STUDENT:-tcplab-student}
student_copy() {
  local dir="$1"
  mkdir -p "$dir/lib/target" "$dir/build/jupyter/kernels" "$dir/notebooks/zh"
  fresh_notebooks
  cp "$FRESH"/*.ipynb "$dir/notebooks/"
  cp "$FRESH"/zh/*.ipynb "$dir/notebooks/zh/" 2>/dev/null || true
  cp -r "$ROOT/tools" "$dir/"
  rm -rf "$dir/tools/browser/node_modules"
  cp -r "$ROOT/lib/target/jars" "$dir/lib/target/"
  if [ -d "$KERNEL_DIR" ]; then
    cp -r "$KERNEL_DIR" "$dir/build/jupyter/kernels/"
    sed -i "s#$KERNEL_DIR#$dir/build/jupyter/kernels/java#g" "$dir/build/jupyter/kernels/java/kernel.json"
  fi
  is_root && chown -R "$STUDENT" "$dir"
  chmod 755 "$dir"
}

# --- notebooks for students: pristine copies, handouts (tools/notebooks/) ---------------------------

# `make pristine`: the notebooks as their sources build them; the edited ones are kept in build/.
pristine() {
  local backup
  backup="$BUILD/notebooks-edited-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$backup/zh"
  cp "$ROOT"/notebooks/*.ipynb "$backup/" 2>/dev/null || true
  cp "$ROOT"/notebooks/zh/*.ipynb "$backup/zh/" 2>/dev/null || true
  "$(find_python)" "$ROOT/tools/notebooks/nbgen.py" build >/dev/null
  say "notebooks/ and notebooks/zh/ restored from notebooks/src/ (no outputs, no edits); your edited copies are in ${backup#$ROOT/}"
}

# `make student`: build/student/ runs as handed out: notebooks/ and notebooks/zh/ (中文版) without the answers,
# and the jars their first cell loads (%jars ../lib/target/jars/tcplab.jar; in zh/ ../../lib/...) at
# lib/target/jars/; zipped as build/tcplab-student.zip.
handout() {
  MVN_ARGS="-DskipTests -q" build_lib
  fresh_notebooks
  "$(find_python)" "$ROOT/tools/notebooks/publish.py" student "$FRESH"
}

# `make lab`: Jupyter's own output goes to build/lab.log; the terminal ends with what this machine
# allows and the one URL to open. STUDENT=1 (TCPLAB_HANDOUT=1) serves the handout copies instead.
serve() {
  local py token port root_flag=() dir="$ROOT/notebooks" log="$BUILD/lab.log" pid machine kernel sub="" ed
  ed=$(edition)
  [ "$ed" = zh ] && sub="/zh"  # the server's root stays notebooks/: zh/'s ../../lib is found from notebooks/zh
  setup
  if [ -n "${TCPLAB_HANDOUT:-}" ]; then
    handout
    dir="$BUILD/student/notebooks"
  else
    MVN_ARGS="-DskipTests -q" build_lib
  fi
  py=$(find_python server)
  token=${LAB_TOKEN:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
  port=${LAB_PORT:-$("$py" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")}
  is_root && root_flag=(--allow-root)
  local url app
  if "$py" -c "import jupyterlab" >/dev/null 2>&1; then
    app=JupyterLab; url="http://127.0.0.1:$port/lab${sub:+/tree$sub}?token=$token"
    "$py" -m jupyterlab --no-browser --ip=127.0.0.1 --port="$port" --port-retries=0 \
      --ServerApp.token="$token" --ServerApp.root_dir="$dir" "${root_flag[@]}" </dev/null >"$log" 2>&1 &
  else
    app="Jupyter Notebook"; url="http://127.0.0.1:$port/tree$sub?token=$token"
    "$py" -m notebook --no-browser --ip=127.0.0.1 --port="$port" --port-retries=0 \
      --NotebookApp.token="$token" --notebook-dir="$dir" "${root_flag[@]}" </dev/null >"$log" 2>&1 &
  fi
  pid=$!
  trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; exit 0' INT TERM
  machine=$("$(java_bin)" -cp "$JAR" "$ROOT/tools/setup/Machine.java" 2>/dev/null || echo "packets ?; layer for 05-06: ? (tools/setup/Machine.java failed)")
  "$py" - "$port" <<'PY' || { kill "$pid" 2>/dev/null; die "the server did not start within 90 s: see build/lab.log"; }
import socket, sys, time
end = time.monotonic() + 90
while time.monotonic() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close(); sys.exit(0)
    except OSError:
        time.sleep(0.3)
sys.exit(1)
PY
  kernel=$(cat "$BUILD/kernel-route")
  say "$app serves ${dir#$ROOT/}; its own log (banner, kernels): build/lab.log; Ctrl-C here stops it"
  if [ "$ed" = zh ]; then
    say "中文版 (LANG=zh): ${dir#$ROOT/}/zh, 从 00-start-here.ipynb 开始 (English: make lab LANG=en)"
  else
    say "English edition; the Chinese one (中文版) is in ${dir#$ROOT/}/zh: make lab LANG=zh"
  fi
  say "this machine: kernel $kernel; $machine"
  say "open: $url"
  wait "$pid"
}

# Chromium (+ CJK fonts) and playwright-core for the browser runs: installed when root, else reported.
setup_browser() {
  if ! command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
      say "installing Debian's chromium and fonts-noto-cjk for the browser test"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null 2>&1 \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; } \
        || { say "could not install chromium"; return 1; }
    else
      say "the browser test needs Chromium (as root: apt-get install -y chromium fonts-noto-cjk), or set CHROMIUM=/path/to/chrome"
      return 1
    fi
  fi
  if ! command -v npm >/dev/null 2>&1; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
      say "installing Node.js and npm for the browser test"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null || { say "could not install npm"; return 1; }
    else
      say "the browser test needs Node.js and npm (as root: apt-get install -y nodejs npm)"
      return 1
    fi
  fi
  (cd "$ROOT/tools/browser" && npm install --no-audit --no-fund --silent >/dev/null) \
    || { say "npm install in tools/browser failed (playwright-core)"; return 1; }
}

# The lab as a student lives it: a private copy served with `make lab`'s server command, as the
# unprivileged user $STUDENT when root (else as this user); headless Chromium opens every notebook and
# runs it top to bottom through the UI (tools/browser/student-test.js: errors, kernel ready within 5 s,
# packets in the ladders where user namespaces work (EXPECT_PACKETS), interrupt in 03, clean-up).
# One result per notebook (+ one for the clean-up) goes to $1, for the total.
run_browser_student() {
  local record="$1" dir py user run p profile
  rm -f "$record" "$BUILD"/browser/*.png
  if ! setup_browser || ! py=$(find_python server); then
    if is_root; then say "browser run: Chromium, Node.js or a notebook server is missing (see above): counted as failed"; echo 0 > "$record"
    else say "browser run skipped: Chromium, Node.js or a notebook server is missing (see above)"; : > "$record"; fi
    return 0
  fi
  user=$(id -un)
  if is_root; then
    command -v runuser >/dev/null 2>&1 || { say "browser run: no runuser here, cannot run as $STUDENT: counted as failed"; echo 0 > "$record"; return 0; }
    id -u "$STUDENT" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$STUDENT"
    user=$STUDENT
  fi
  dir=$(mktemp -d /tmp/tcplab-browser.XXXXXX)
  student_copy "$dir"
  say "the browser path: every notebook in headless Chromium, served as $user with make lab's server command"
  run=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
  profile=$(mktemp -d /tmp/tcplab-chromium.XXXXXX)
  BROWSER_RUN_ID=$run timeout -k 30 "$(( ${BROWSER_DEADLINE:-870} + 120 ))" node "$ROOT/tools/browser/student-test.js" --dir "$dir" \
    --python "$py" --user "$user" --out "$BUILD/browser" --record "$record" --profile "$profile" \
    ${JAVA_HOME:+--java-home "$JAVA_HOME"} || true
  for p in /proc/[0-9]*; do # the last net if the test itself was killed: every process it started carries its mark
    grep -qsz "^TCPLAB_BROWSER_\(RUN\|CHROMIUM\)=$run\$" "$p/environ" && kill -9 "${p#/proc/}" 2>/dev/null || true
  done
  [ -s "$record" ] || echo 0 > "$record"
  rm -rf "$dir" "$profile"
}

# `make hub` and its tests (tools/hub/): Debian's JupyterHub for a class on this machine, as root. What the hub
# shares is built here (set-up, lib's jars, the student copies without answers, the teacher's with them);
# tools/hub/hub.sh does the rest (shared lab, accounts, packets, the hub itself).
APT_HUB="jupyterhub node-configurable-http-proxy"
hub_route() {
  is_root || die "make $1 runs as root (it creates accounts and starts a server as each of them): sudo make $1"
  command -v apt-get >/dev/null 2>&1 || die "make $1 is the Debian route (Debian's jupyterhub package); elsewhere see README, Teaching a class (Zero to JupyterHub)."
  setup
  [ "$(cat "$BUILD/kernel-route")" = rapaio ] || die "make $1 needs the Debian route's rapaio kernel (this machine uses $(cat "$BUILD/kernel-route"))"
  if ! command -v jupyterhub >/dev/null 2>&1 || ! command -v configurable-http-proxy >/dev/null 2>&1; then
    say "installing Debian's JupyterHub ($APT_HUB)"
    apt_install $APT_HUB || die "could not install $APT_HUB"
  fi
  handout
  export TCPLAB_JAVA; TCPLAB_JAVA=$(java_bin)
  export TCPLAB_KERNEL_DIR="$KERNEL_DIR" TCPLAB_STUDENT_NB="$BUILD/student/notebooks" TCPLAB_TEACHER_NB="$FRESH"
}

# The 'java' kernel as a browser uses it, through a real Notebook server: fresh starts must answer
# kernel_info within 5 s, the stop button must end running cells within 2 s (tools/runner/kernel_check.py).
kernel_check() {
  say "kernel check: $1 fresh kernel starts through the Notebook server${2:+, and the stop button}"
  "$(find_python server)" "$ROOT/tools/runner/kernel_check.py" --starts "$1" ${2:+--interrupt} --label "${3:-check}"
}

case "${1:-}" in
  setup) setup ;;
  lib) build_lib ;;
  test)
    setup
    "$(find_python)" "$ROOT/tools/notebooks/nbgen.py" selftest
    "$(find_python)" "$ROOT/tools/notebooks/nbgen.py" check
    MVN_ARGS="-Dspotless.check.skip=false" build_lib
    kernel_ok=1
    kernel_check "${KERNEL_TEST_STARTS:-5}" interrupt test || kernel_ok=0
    rm -f "$BUILD/relay-results" "$BUILD/browser-results"
    say "notebooks 04-06 and 08 with namespaces treated as forbidden (TCPLAB_LAYER=relay): the relay stand-in, labelled"
    fresh_notebooks
    TCPLAB_LAYER=relay "$(find_python)" "$ROOT/tools/runner/run_notebooks.py" --kernel java --jobs "${JOBS:-2}" --label "(relay layer forced)" \
      --workdir "$ROOT/notebooks" --logs "$BUILD/kernel-logs/relay" --out "$BUILD/executed-relay" --record "$BUILD/relay-results" \
      "$FRESH"/04-*.ipynb "$FRESH"/05-*.ipynb "$FRESH"/06-*.ipynb "$FRESH"/08-*.ipynb || true
    run_browser_student "$BUILD/browser-results"
    rm -f "$BUILD/hub-results"
    if is_root && command -v apt-get >/dev/null 2>&1; then # the classroom path (make hub-test, about 1.5 min)
      say "the classroom path: Debian's JupyterHub, a student's PAM login, server and notebook 02 through its APIs (make hub-test)"
      ( hub_route hub-test >/dev/null && "$(find_python server)" "$ROOT/tools/hub/classroom.py" hub-test --record "$BUILD/hub-results" ) || true
      [ -s "$BUILD/hub-results" ] || echo 0 > "$BUILD/hub-results"
    else
      say "the classroom path (make hub-test) skipped: it runs as root on Debian/Ubuntu (it creates accounts)"
      : > "$BUILD/hub-results"
    fi
    say "executing every notebook headless in the 'java' kernel ($(cat "$BUILD/kernel-route"))"
    run_notebooks --lab-check --total-of "$BUILD/relay-results" --total-of "$BUILD/browser-results" --total-of "$BUILD/hub-results"
    [ "$kernel_ok" = 1 ] || die "FAIL: the kernel check failed (a start not answered within 5 s or an interrupt that did not end its cell): see the 'kernel check' lines above"
    ;;
  kernel-check)
    setup
    MVN_ARGS="-DskipTests -q" build_lib
    kernel_check "${KERNEL_STARTS:-50}" interrupt check
    ;;
  run) setup; MVN_ARGS="-DskipTests -q" build_lib; run_notebooks ;;
  html) setup; MVN_ARGS="-DskipTests -q" build_lib; run_notebooks || true; "$(find_python)" "$ROOT/tools/notebooks/publish.py" html ;;
  student) handout ;;
  notebooks) "$(find_python)" "$ROOT/tools/notebooks/nbgen.py" build ;;
  pristine) pristine ;;
  browser)
    setup
    setup_browser || die "the browser test cannot run here (see above)."
    MVN_ARGS="-DskipTests -q" build_lib
    node "$ROOT/tools/browser/browser-test.js" "${NOTEBOOK:-00-start-here.ipynb}"
    ;;
  bench)
    setup
    MVN_ARGS="-DskipTests -q" build_lib
    say "every scenario ${BENCH_RUNS:-100} times (tools/stress/Bench.java)"
    BENCH_TABLE="${BENCH_TABLE-$ROOT/tools/stress/determinism.tsv}" "$(java_bin)" -cp "$JAR" "$ROOT/tools/stress/Bench.java" "${BENCH_RUNS:-100}"
    say "the whole notebook suite once, timed (per notebook: wall time and kernel cold start)"
    start=$(date +%s.%N)
    run_notebooks || true
    say "suite wall time: $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $start}") s"
    ;;
  stress)
    setup
    MVN_ARGS="-DskipTests -q" build_lib
    phases=${STRESS:-rerun,kill,concurrent}
    py=$(find_python)
    fresh_notebooks
    quick=(--set runsPerPoint=2 --set "pausesMillis=new int[] {0, 10}")
    [ -n "${STRESS:-}" ] || rm -f "$BUILD"/stress-*.results
    if [[ $phases == *rerun* ]]; then
    say "re-run safety: every code cell of notebooks 00-04, 07 and 09 ${RERUNS:-50} times, of 05, 06 and 08 ${RERUNS_NETNS:-10} times, in one kernel each; resources counted"
    "$py" "$ROOT/tools/runner/run_notebooks.py" --kernel java --rerun "${RERUNS:-50}" --set runsPerPoint=1 \
      --set "pausesMillis=new int[] {0}" --label "(re-run ${RERUNS:-50}x)" --logs "$BUILD/kernel-logs" \
      --workdir "$ROOT/notebooks" --record "$BUILD/stress-rerun.results" "$FRESH"/0[0-479]-*.ipynb || true
    "$py" "$ROOT/tools/runner/run_notebooks.py" --kernel java --rerun "${RERUNS_NETNS:-10}" --set retries2=1 \
      --label "(re-run ${RERUNS_NETNS:-10}x)" --logs "$BUILD/kernel-logs" --cell-timeout 600 \
      --workdir "$ROOT/notebooks" --record "$BUILD/stress-rerun-netns.results" "$FRESH"/0[568]-*.ipynb || true
    fi
    if [[ $phases == *kill* ]]; then
    say "killed midway: ${KILLS:-20} JVMs running scenarios are SIGKILLed at random moments, then one clean run"
    (cd "$ROOT" && "$(java_bin)" -cp "$JAR" tools/stress/KillMidway.java "${KILLS:-20}" | tee "$BUILD/stress-kill.log" | tail -6) || true
    if grep -q "^1 passed" "$BUILD/stress-kill.log"; then echo 1 > "$BUILD/stress-kill.results"; else echo 0 > "$BUILD/stress-kill.results"; fi
    fi
    if [[ $phases == *concurrent* ]]; then
    say "concurrency: ${SUITES:-10} whole suites at the same time"
    pids=()
    for i in $(seq 1 "${SUITES:-10}"); do
      "$py" "$ROOT/tools/runner/run_notebooks.py" --kernel java "${quick[@]}" --label "(suite $i)" \
        --logs "$BUILD/kernel-logs/suite-$i" --workdir "$ROOT/notebooks" --record "$BUILD/stress-suite-$i.results" "$FRESH"/*.ipynb \
        > "$BUILD/stress-suite-$i.log" 2>&1 &
      pids+=($!)
    done
    wait "${pids[@]}" || true
    grep -h "^FAIL\|^     -" "$BUILD"/stress-suite-*.log || true
    fi
    totals=(); for f in "$BUILD"/stress-*.results; do totals+=(--total-of "$f"); done
    "$py" "$ROOT/tools/runner/run_notebooks.py" "${totals[@]}"
    ;;
  lab) serve ;;
  hub) hub_route hub; "$ROOT/tools/hub/hub.sh" start ;;
  hub-stop) "$ROOT/tools/hub/hub.sh" stop ;;
  hub-test|classroom)
    hub_route "$1"
    "$(find_python server)" "$ROOT/tools/hub/classroom.py" "$1" ${CLASS_SIZE:+--students "$CLASS_SIZE"} ${STEPS+--steps "$STEPS"} ${HUB_RECORD:+--record "$HUB_RECORD"}
    ;;
  *) die "usage: tools/lab.sh setup|lib|test|run|lab|html|student|notebooks|pristine|browser|bench|stress|kernel-check|hub|hub-stop|hub-test|classroom" ;;
esac
