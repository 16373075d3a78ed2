"""Hosts on this machine for measurement 8: one network namespace each, on a bridge.

Each host is a network namespace (iproute2's ``ip netns``) with a network stack of its
own: its loopback and one interface, one end of a veth pair whose other end is
attached to a bridge in the machine's own namespace. The bridge has the first address,
so the benchmark's driver reaches every host, and the hosts reach each other; no host
has a route anywhere else. Cutting a host off sets its end on the bridge down: the host
and its processes go on, but nothing it sends arrives any more, as when a machine
drops off the network.

The addresses are a /24 of 198.18.0.0/15, the range RFC 2544 sets aside for
benchmarking network devices, which no network routes: traffic only ever goes to these
hosts. Each set of hosts takes a /24 that no interface of this machine has yet, so two
runs at once do not reach each other's hosts. Linux only, as root.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import uuid

BENCHMARK_NETWORKS = [
    f"198.{second}.{third}" for second in (18, 19) for third in range(256)
]
"""The /24s of RFC 2544's 198.18.0.0/15, as their first three numbers."""
PREFIX_LENGTH = 24


def unused_network() -> str:
    """A /24 of BENCHMARK_NETWORKS that no interface here has an address in."""
    listed = subprocess.run(
        ["ip", "-4", "-o", "address", "show"],
        capture_output=True,
        text=True,
        check=True,
    )
    used = {
        word.rpartition(".")[0]
        for line in listed.stdout.splitlines()
        for word in line.split()
        if word.startswith("198.1")
    }
    for network in BENCHMARK_NETWORKS:
        if network not in used:
            return network
    raise RuntimeError("every /24 of 198.18.0.0/15 is in use on this machine")


def require_network_namespaces() -> None:
    """Raise SystemExit, saying what to do, where hosts cannot be made."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("ip") is None:
        raise SystemExit(
            "measurement 8 makes hosts of network namespaces: it needs Linux, root and"
            " iproute2's ip (Debian and Ubuntu: apt-get install iproute2); or pass"
            " --skip-scale-out"
        )


def ip(*arguments: str) -> None:
    result = subprocess.run(
        ["ip", *arguments], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(arguments)} failed: {result.stderr.strip()}")


class Hosts:
    """Named hosts on one bridge; everything made is removed on exit, and every
    process still running in a host is killed."""

    def __init__(self, *names: str) -> None:
        tag = uuid.uuid4().hex[:6]
        self._bridge = f"bgtb{tag}"  # interface names: at most 15 characters
        self._namespaces = {name: f"bgtb-{tag}-{name}" for name in names}
        self._links = {name: f"bgtb{tag}h{i}" for i, name in enumerate(names)}
        self._addresses: dict[str, str] = {}
        self._made: list[str] = []

    def address(self, name: str) -> str:
        return self._addresses[name]

    def command(self, name: str, *command: str) -> list[str]:
        """``command`` as run on host ``name``."""
        return ["ip", "netns", "exec", self._namespaces[name], *command]

    def cut_off(self, name: str) -> None:
        """Take host ``name`` off the network: its link on the bridge goes down."""
        ip("link", "set", self._links[name], "down")

    def __enter__(self) -> Hosts:
        network = unused_network()
        self._addresses = {
            name: f"{network}.{i}" for i, name in enumerate(self._namespaces, start=2)
        }
        try:
            ip("link", "add", self._bridge, "type", "bridge")
            self._made.append(self._bridge)
            ip("address", "add", f"{network}.1/{PREFIX_LENGTH}", "dev", self._bridge)
            ip("link", "set", self._bridge, "up")
            for name, namespace in self._namespaces.items():
                ip("netns", "add", namespace)
                self._made.append(namespace)
                link = self._links[name]
                # The peer is made in the host's namespace: this one has an eth0.
                peer = ("peer", "eth0", "netns", namespace)
                ip("link", "add", link, "type", "veth", *peer)
                ip("link", "set", link, "master", self._bridge, "up")
                address = f"{self._addresses[name]}/{PREFIX_LENGTH}"
                ip("-n", namespace, "address", "add", address, "dev", "eth0")
                ip("-n", namespace, "link", "set", "eth0", "up")
                ip("-n", namespace, "link", "set", "lo", "up")
        except BaseException:
            self._remove()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self._remove()

    def _remove(self) -> None:
        namespaces = [made for made in self._made if made != self._bridge]
        for namespace in namespaces:
            self._kill_processes_in(namespace)
            ip("netns", "delete", namespace)
        for name, namespace in self._namespaces.items():
            if namespace in namespaces:  # its veth pair goes with its last process
                subprocess.run(
                    ["ip", "link", "delete", self._links[name]], capture_output=True
                )
        if self._bridge in self._made:
            ip("link", "delete", self._bridge)
        self._made.clear()

    @staticmethod
    def _kill_processes_in(namespace: str) -> None:
        listed = subprocess.run(
            ["ip", "netns", "pids", namespace], capture_output=True, text=True
        )
        for pid in listed.stdout.split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
