"""Kernel ports for a class on one machine: each account's kernels take their ports from a range of its own.

Notebook 6.4 (as jupyter_client 7.4 drives it) chooses a kernel's five ports by binding port 0 and releasing it,
then writes them into the connection file; the kernel binds them when its JVM is up. On a machine where thirty
students start kernels at once, a JVM takes 20-200 s to get there, and in that window another student's server
picks the same free port for its own kernel (jupyter_client issue 487, across processes): one kernel then cannot
bind, ends (tools/rapaio-fix), and is restarted - on the SAME ports, because with jupyter_client's port cache no
port is recorded as random, so "new random ports" changes nothing (measured: one student's kernel of 30 died after
5 restarts; 2 of 30 in the next class).

Here each account (by uid) gets 150 ports of its own below the ephemeral range (10000 + (uid mod 150) * 150 ...
up to 32499; Linux hands out 32768-60999 for bind(0) and connect()), so no other student's server and no
ephemeral port can take them; within one server the ports handed to kernels that have not bound yet are not
handed out twice; and a restart really gets new ports. tools/hub/hub.sh installs this file in /opt/tcplab/python
and the hub starts every server with --MappingKernelManager.kernel_manager_class=tcplab_ports.UserRangeKernelManager.
"""
import os
import socket

from jupyter_client.ioloop import IOLoopKernelManager
from traitlets import default

BASE, SPAN, SLOTS = 10000, 150, 150
PORT_NAMES = ("shell_port", "iopub_port", "stdin_port", "hb_port", "control_port")
_handed_out = {}  # id(kernel manager) -> its ports, until its kernel ends for good


def user_range(uid=None):
    """The 150 ports of this account (or of uid)."""
    uid = os.getuid() if uid is None else uid
    start = BASE + (uid % SLOTS) * SPAN
    return range(start, start + SPAN)


def free_ports(ip, n, uid=None):
    """n ports of the account's range that nobody holds now and that no kernel of this server was given."""
    given = {p for ports in _handed_out.values() for p in ports}
    got = []
    for port in user_range(uid):
        if port in given:
            continue
        with socket.socket() as s:
            try:
                s.bind((ip, port))
            except OSError:
                continue
        got.append(port)
        if len(got) == n:
            return got
    raise RuntimeError(f"no {n} free ports left in this account's range {user_range(uid).start}-{user_range(uid).stop - 1}"
                       f" ({len(given)} handed to kernels of this server): close some notebooks' kernels")


class UserRangeKernelManager(IOLoopKernelManager):
    """Notebook 6.4's kernel manager, with ports from the account's own range and new ones on every restart."""

    @default("cache_ports")
    def _no_port_cache(self):
        return False  # ports come from the range, not jupyter_client's per-process cache

    def write_connection_file(self):
        if self.transport == "tcp" and not (self._connection_file_written and os.path.exists(self.connection_file)):
            ports = free_ports(self.ip or "127.0.0.1", len(PORT_NAMES))
            for name, port in zip(PORT_NAMES, ports):
                setattr(self, name, port)
            _handed_out[id(self)] = ports
        super().write_connection_file()

    def cleanup_random_ports(self):
        """A restart with new ports (the restarter's choice for a kernel that died at once): forget all five."""
        _handed_out.pop(id(self), None)
        for name in PORT_NAMES:
            setattr(self, name, 0)
        self.cleanup_connection_file()

    def cleanup_resources(self, restart=False):
        if not restart:
            _handed_out.pop(id(self), None)
        return super().cleanup_resources(restart=restart)
