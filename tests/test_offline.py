"""The book needs no network: `.ci/offline` cuts it off, and in CI the tests run inside it."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = "import socket; socket.create_connection(('1.1.1.1', 53), timeout=3)"


IN_CI = os.environ.get("CI") == "true"  # .ci/run sets it


def namespaces_available() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    return subprocess.run(["unshare", "-rn", "sh", "-c", "ip link set lo up"], capture_output=True).returncode == 0


def test_the_wrapper_cuts_the_network_but_keeps_loopback():
    if not namespaces_available():
        reason = "no unprivileged network namespaces here, so .ci/offline runs commands with the network"
        if IN_CI:  # CI is where the book's offline promise is proved: it must not pass without the proof
            pytest.fail(f"{reason}; CI needs them (allow unprivileged user namespaces on the runner)")
        pytest.skip(reason)
    offline = [str(ROOT / ".ci" / "offline"), sys.executable, "-c"]
    blocked = subprocess.run([*offline, PROBE], capture_output=True, text=True)
    assert blocked.returncode != 0 and "Network is unreachable" in blocked.stderr, blocked.stderr
    loopback = subprocess.run([*offline, "import socket; socket.socket().bind(('127.0.0.1', 0))"], capture_output=True)
    assert loopback.returncode == 0, "kernels and the test server need the loopback interface"


@pytest.mark.skipif(not IN_CI, reason="only CI (.ci/run) runs the suite through .ci/offline")
def test_in_ci_this_suite_itself_runs_without_network():
    interfaces = [name for _, name in socket.if_nameindex()]
    assert interfaces == ["lo"], f"network interfaces {interfaces}: the suite did not run inside .ci/offline's namespace"
    with pytest.raises(OSError):
        socket.create_connection(("1.1.1.1", 53), timeout=3)
