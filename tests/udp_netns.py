# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""The private network namespace of the tests over real UDP
(test_emulator.py, test_hems_controller.py, test_hostile.py).

enter_namespace(script) re-runs the script, with the same arguments, in a
new network namespace: `unshare --net` as root, else `unshare --user
--map-root-user --net`. The environment variable NETNS_ENV tells the
re-run script that it is inside (and which prefix made it). When neither
works, enter_namespace() returns the reason and the script runs on the
host's loopback; the namespace's set-up (lo up, routes, addresses) is
test_emulator.Network's.
"""

import os
import shutil
import subprocess
import sys

NETNS_ENV = "AIRCON_EMULATOR_TEST_NETNS"


def run_quiet(cmd):
    return subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def enter_namespace(script):
    """Re-runs script (a path) in a private network namespace when possible;
    returns (only when it does not) the reason."""
    if os.environ.get(NETNS_ENV):
        return None
    unshare, ip = shutil.which("unshare"), shutil.which("ip")
    if not unshare or not ip:
        return "unshare or ip not found"
    for prefix in ([unshare, "--net"], [unshare, "--user", "--map-root-user", "--net"]):
        if run_quiet(prefix + ["true"]):
            env = dict(os.environ)
            env[NETNS_ENV] = " ".join(prefix[1:])
            sys.stdout.flush()
            os.execve(unshare, prefix + ["--", sys.executable, os.path.abspath(script)] + sys.argv[1:], env)
    return "unshare --net is not permitted here"
