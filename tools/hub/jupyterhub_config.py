# JupyterHub 3.0 (Debian 12's package) for a tcplab class on one machine. tools/hub/hub.sh starts the hub with
# this file and a clean environment; every value below comes from that script (see its header).
#   PAM login for the accounts of the class list; one Notebook 6.4 server per account, started by the hub as
#   that user (LocalProcessSpawner) in ~/tcplab/notebooks; the 'java' kernel from the shared root-owned folder.
import os

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)
env = os.environ
state = env["TCPLAB_HUB_STATE"]
share = env["TCPLAB_SHARE"]

students, teachers = [], []
with open(os.path.join(state, "class")) as f:  # "name role" lines written by hub.sh from the class list
    for line in f:
        name, role = line.split()[:2]
        (teachers if role == "teacher" else students).append(name)

# Where: the public side on TCPLAB_HUB_IP (127.0.0.1 unless the teacher sets HUB_IP), the hub's own API and
# the proxy's API on loopback ports chosen at start.
c.JupyterHub.bind_url = f"http://{env['TCPLAB_HUB_IP']}:{env['TCPLAB_HUB_PORT']}/"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env["TCPLAB_HUB_INTERNAL_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env['TCPLAB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "proxy.pid")
c.ConfigurableHTTPProxy.debug = False

# State in one folder: database, cookie secret, pid files (the log is the hub's stdout: hub.log there).
c.JupyterHub.db_url = "sqlite:///" + os.path.join(state, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(state, "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # the hub's end ends every student's server (and so its kernels)
c.JupyterHub.cleanup_proxy = True

# Who: the class list only; teachers are admins (they see the class in /hub/admin, start and stop servers)
# but do not get into students' servers (admin_access stays off: a student's folder is the student's).
c.Authenticator.allowed_users = set(students + teachers)
c.Authenticator.admin_users = set(teachers)
c.JupyterHub.admin_access = False
c.PAMAuthenticator.open_sessions = False  # no login sessions (systemd-logind) for notebook servers

# What each user runs: Notebook 6.4 (Debian has no jupyter_server) behind the hub's login, in ~/tcplab/notebooks.
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = ["/usr/bin/jupyterhub-singleuser"]
c.Spawner.notebook_dir = "~/tcplab/notebooks"
c.Spawner.default_url = "/tree"
c.Spawner.environment = {
    "JUPYTERHUB_SINGLEUSER_APP": "notebook.notebookapp.NotebookApp",
    "JUPYTER_PATH": os.path.join(share, "jupyter"),  # the lab's 'java' kernelspec, for every user of the hub
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "PYTHONPATH": os.path.join(share, "python"),  # tcplab_ports, for the servers' kernel manager
    "LANG": env.get("LANG", "C.UTF-8"),
}
c.Spawner.env_keep = []  # nothing else from the hub's environment
# A kernel nobody uses (no browser tab connected, idle 20 min) ends by itself: a class leaves many behind.
c.Spawner.args = ["--MappingKernelManager.cull_idle_timeout=1200", "--MappingKernelManager.cull_interval=60",
                  # A kernel that ends in its first N s is restarted on NEW ports (its own were taken: see
                  # tools/rapaio-fix); with a class starting at once a kernel needs far more than the default 10 s
                  # to reach its bind, and was then restarted on the same taken ports again and again.
                  "--KernelRestarter.stable_start_time=300",
                  # Kernel ports from each account's own range, new ones on a restart (tools/hub/tcplab_ports.py):
                  # with Notebook's own choice, a class starting at once gave two kernels the same port, and the
                  # restart reused it (jupyter_client's port cache): 1 of 30 and 2 of 30 kernels died.
                  "--MappingKernelManager.kernel_manager_class=tcplab_ports.UserRangeKernelManager"]
# A class logging in at once on a small machine: servers may need long to answer (the hub's default is 30-60 s).
c.Spawner.start_timeout = int(env.get("TCPLAB_HUB_START_TIMEOUT", "300"))
c.Spawner.http_timeout = int(env.get("TCPLAB_HUB_START_TIMEOUT", "300"))
c.JupyterHub.concurrent_spawn_limit = 0  # no limit: the class list is the limit
c.JupyterHub.active_server_limit = 0
