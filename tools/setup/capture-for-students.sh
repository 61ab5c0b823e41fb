#!/bin/sh
# One-time administrator step for machines where students cannot capture packets themselves (no user
# namespaces): a lab-private copy of tcpdump with the file capabilities cap_net_raw,cap_net_admin, executable by
# group tcplab only, the way Debian's wireshark packaging lets group wireshark capture. The lab (Capture.java)
# uses it when this JVM may not open a packet socket. tcpdump run by a non-root user with file capabilities
# keeps them (it drops privileges only when started as root).
#
#   sudo make capture-for-students                     install; add $SUDO_USER to group tcplab
#   sudo make capture-for-students STUDENTS="ann bo"   install; add these users
#   sudo tools/setup/capture-for-students.sh --remove        remove the tool (the group stays)
#   tools/setup/capture-for-students.sh --status             one line: which capture case applies to this user (make lab)
#   TCPLAB_CAPTURE_DIR=/some/dir                       install elsewhere (tests); the lab looks in the default
set -eu
DIR=${TCPLAB_CAPTURE_DIR:-/usr/local/lib/tcplab}
TOOL=$DIR/tcplab-capture
GROUP=tcplab
say() { printf '[tcplab] %s\n' "$*"; }
die() { printf '[tcplab] %s\n' "$*" >&2; exit 1; }

if [ "${1:-}" = --status ]; then # the same order as Capture.backend(): in-process first, then the tool
  if [ "$(id -u)" = 0 ]; then
    say "packets: yes (root: captured in the notebook's JVM)"
  elif PATH=$PATH:/usr/sbin:/sbin unshare -rn true 2>/dev/null; then
    say "packets: user namespaces work here (unshare -rn): capture there needs no privilege"
  elif [ -x "$TOOL" ]; then
    say "packets: yes, by the lab's capture tool $TOOL (group $GROUP)"
  elif [ -e "$TOOL" ]; then
    say "packets: off until you are in group $GROUP: an administrator runs: sudo usermod -aG $GROUP $(id -un); then log in again"
  else
    say "packets: off here (no root, no user namespaces); to turn them on an administrator runs once: sudo make capture-for-students"
  fi
  exit 0
fi
[ "$(id -u)" = 0 ] || die "run this as root: sudo make capture-for-students"
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
if [ "${1:-}" = --remove ]; then
  rm -f "$TOOL" "$TOOL.new"
  rmdir "$DIR" 2>/dev/null || true
  say "removed $TOOL (group $GROUP and its members stay)"
  exit 0
fi
tcpdump=$(command -v tcpdump || true)
[ -n "$tcpdump" ] || die "tcpdump is not installed: apt-get install -y tcpdump, then run this again"
command -v setcap >/dev/null 2>&1 || die "setcap is not installed: apt-get install -y libcap2-bin, then run this again"

getent group "$GROUP" >/dev/null || groupadd --system "$GROUP"
install -d -m 0755 "$DIR"
install -m 0750 -o root -g "$GROUP" "$tcpdump" "$TOOL.new" # owner, group and mode first: chown clears capabilities
setcap cap_net_raw,cap_net_admin+eip "$TOOL.new" || { rm -f "$TOOL.new"; die "setcap failed (a file system without extended attributes?)"; }
mv -f "$TOOL.new" "$TOOL"
say "installed $TOOL: $(getcap "$TOOL" | sed 's/^[^ ]* //'), mode 0750, group $GROUP"

students=${STUDENTS:-${SUDO_USER:-}}
[ "$students" = root ] && students=
for u in $students; do
  id "$u" >/dev/null 2>&1 || die "no user \"$u\" (STUDENTS names users of this machine)"
  usermod -aG "$GROUP" "$u"
  say "added $u to group $GROUP"
done
say "done: every member of group $GROUP now sees packets in the ladders; a user added now logs in again first"
say "(or runs: newgrp $GROUP). Add more students with: sudo usermod -aG $GROUP NAME"
