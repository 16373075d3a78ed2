"""Install, start and stop a private Docker engine for one run of the template's suite.

The engine comes from Debian's packages, downloaded with a private apt state (the
machine's own apt configuration stays as it is) and unpacked into a cache folder:
Debian 13's docker.io 26 and docker-compose 2.26, the first Debian release with Docker
Engine 25+ (HEALTHCHECK ``--start-interval``) and Compose 2.24+ (``env_file`` with
``required: false``), which the generated projects need. Its runc needs a newer C
library than Debian 12's, so runc comes from the machine's own release, as does
iptables (see IPTABLES_PACKAGES).

Each run gets its own engine, data folder and socket under one run folder, with no
firewall rules and no default bridge (builds use the host's network); ``stop`` ends
the engine and deletes the folder, so nothing is left running or mounted. The base
images (see images.py) are kept in the cache as one ``docker save`` archive and
loaded into each run's engine in seconds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

CACHE = Path(
    os.environ.get("TEMPLATE_TEST_DOCKER_CACHE")
    or Path.home() / ".cache" / "bgtasks-template-tests" / "docker"
)
RUN_FOLDER_VARIABLE = "TEMPLATE_TEST_DOCKER_RUN"
# An engine that already runs, such as a CI runner's: used as it is, with its own
# client and the registry's images.
EXISTING_ENGINE_VARIABLE = "TEMPLATE_TEST_DOCKER_HOST"

ENGINE_RELEASE = "trixie"
ENGINE_PACKAGES = (
    "docker.io",
    "docker-cli",
    "containerd",
    "docker-compose",
    "docker-buildx",
)
# Docker's DNS server for compose's service names answers inside each container's
# network namespace, behind a rule that dockerd adds there with iptables (not on the
# machine: --iptables=false keeps the machine's own rules as they are).
IPTABLES_PACKAGES = (
    "iptables",
    "libip4tc2",
    "libip6tc2",
    "libxtables12",
    "libnetfilter-conntrack3",
    "libnfnetlink0",
    "libnftnl11",
    "libmnl0",
)
MACHINE_PACKAGES = ("runc", *IPTABLES_PACKAGES)
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
DEFAULT_MIRROR = "http://deb.debian.org/debian"

START_DEADLINE_SECONDS = 60.0
STOP_DEADLINE_SECONDS = 30.0


class EngineUnavailable(Exception):
    """No engine can run here; the message says why and what to do."""


def existing(run_folder: Path) -> Engine | None:
    """The engine ``TEMPLATE_TEST_DOCKER_HOST`` names, if it is set."""
    host = os.environ.get(EXISTING_ENGINE_VARIABLE)
    return Engine(run_folder, None, host) if host else None


def why_unavailable() -> str | None:
    """Why this machine cannot run the suite's engine, or None when it can."""
    if not sys.platform.startswith("linux"):
        return "the suite's Docker engine runs on Linux only"
    if os.geteuid() != 0:
        return "starting a Docker engine needs root: run the suite as root"
    if shutil.which("apt-get") is None and not (CACHE / "engine").is_dir():
        return "the Docker engine is installed from Debian's packages: no apt-get here"
    return None


def run(*command: str | Path, **kwargs: object) -> str:
    """Run ``command``; return its standard output; raise EngineUnavailable, with its
    output, if it fails."""
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )
    if result.returncode != 0:
        raise EngineUnavailable(
            f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
            f"{result.stdout}{result.stderr}"
        )
    return result.stdout


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing): one pytest worker
    installs or starts while the others wait for it."""
    import fcntl  # POSIX only; this module is imported on every system

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def machine_release() -> tuple[str, str]:
    """The machine's Debian release name and the mirror its apt uses."""
    release = ""
    for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
        if line.startswith("VERSION_CODENAME="):
            release = line.split("=", 1)[1].strip('"')
    mirror = DEFAULT_MIRROR
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    if sources.is_file():
        for line in sources.read_text(encoding="utf-8").splitlines():
            if line.startswith("URIs:") and "security" not in line:
                mirror = line.split()[1]
                break
    if not release:
        raise EngineUnavailable(
            "not a Debian machine: /etc/os-release names no release"
        )
    return release, mirror


def download(release: str, mirror: str, packages: tuple[str, ...], into: Path) -> None:
    """Download ``packages`` of Debian ``release`` into ``into``, with an apt state of
    their own."""
    state = into / f"apt-{release}"
    (state / "lists" / "partial").mkdir(parents=True, exist_ok=True)
    (state / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    sources = state / "sources.list"
    sources.write_text(f"deb [signed-by={KEYRING}] {mirror} {release} main\n")
    options = [
        *("-o", f"Dir::Etc::SourceList={sources}"),
        *("-o", "Dir::Etc::SourceParts=/dev/null"),
        *("-o", f"Dir::State::Lists={state / 'lists'}"),
        *("-o", f"Dir::Cache={state}"),
        *("-o", "Debug::NoLocking=1"),
        *("-o", "APT::Sandbox::User=root"),
    ]
    run("apt-get", "--quiet", *options, "update")
    run("apt-get", "--quiet", *options, "download", *packages, cwd=into)


def install_engine() -> Path:
    """The folder the engine's packages are unpacked in, installed on first use."""
    root = CACHE / "engine"
    if (root / "usr" / "sbin" / "dockerd").is_file():
        return root
    release, mirror = machine_release()
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as staging:
        debs = Path(staging)
        download(ENGINE_RELEASE, mirror, ENGINE_PACKAGES, debs)
        download(release, mirror, MACHINE_PACKAGES, debs)
        unpacked = debs / "root"
        for deb in sorted(debs.glob("*.deb")):
            run("dpkg-deb", "--extract", deb, unpacked)
        # What Debian's alternatives would point iptables and ip6tables at.
        for name in ("iptables", "ip6tables"):
            (unpacked / "usr" / "sbin" / name).symlink_to("xtables-nft-multi")
        unpacked.rename(root)
    return root


class Engine:
    """A running engine: its socket, and the client's environment.

    ``root`` is the folder of the engine the suite installed, or None for an engine
    that was already running (``TEMPLATE_TEST_DOCKER_HOST``), used with the
    ``docker`` on PATH.
    """

    def __init__(self, run_folder: Path, root: Path | None, host: str = "") -> None:
        self.run_folder = run_folder
        self.root = root
        self.host = host or f"unix://{run_folder / 'docker.sock'}"

    def env(self) -> dict[str, str]:
        """This process's environment, pointed at the engine (and, for the suite's
        own, with its client and plugins first)."""
        env = {**os.environ, "DOCKER_HOST": self.host}
        if self.root is not None:
            path = os.pathsep.join(
                [str(self.root / "usr" / "sbin"), str(self.root / "usr" / "bin")]
            )
            env["PATH"] = f"{path}{os.pathsep}{os.environ.get('PATH', '')}"
            env["DOCKER_CONFIG"] = str(self.run_folder / "client")
        return env

    def docker(self) -> str:
        if self.root is None:
            return shutil.which("docker") or "docker"
        return str(self.root / "usr" / "bin" / "docker")

    def answers(self) -> bool:
        result = subprocess.run(
            [self.docker(), "version", "--format", "{{.Server.Version}}"],
            env=self.env(),
            capture_output=True,
            check=False,
        )
        return result.returncode == 0


def _pid(run_folder: Path) -> int | None:
    try:
        return int((run_folder / "dockerd.pid").read_text())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):  # reap it when it is our child
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def ensure_started(run_folder: Path) -> Engine:
    """The engine of this run, installed and started by the first caller.

    Raises EngineUnavailable when it cannot be installed or does not answer within
    START_DEADLINE_SECONDS.
    """
    with locked(CACHE / "install.lock"):
        root = install_engine()
    with locked(run_folder / "start.lock"):
        engine = Engine(run_folder, root)
        pid = _pid(run_folder)
        if pid is not None and _alive(pid) and engine.answers():
            return engine
        plugins = run_folder / "client" / "cli-plugins"
        plugins.mkdir(parents=True, exist_ok=True)
        for plugin in (root / "usr" / "libexec" / "docker" / "cli-plugins").iterdir():
            target = plugins / plugin.name
            if not target.exists():
                target.symlink_to(plugin)
        dockerd = root / "usr" / "sbin" / "dockerd"
        arguments = [
            str(dockerd),
            # No firewall or NAT rules, no default bridge: nothing of the machine's
            # network changes. Compose's own networks still work.
            *("--iptables=false", "--ip6tables=false", "--bridge=none"),
            *("--ip-forward=false", "--ip-masq=false"),
            "--storage-driver=overlay2",
            f"--data-root={run_folder / 'data'}",
            f"--exec-root={run_folder / 'exec'}",
            f"--pidfile={run_folder / 'dockerd.pid'}",
            f"--host={engine.host}",
        ]
        # The unpacked iptables' libraries: usr/lib/<architecture triplet>.
        libraries = next((root / "usr" / "lib").glob("*-linux-gnu"))
        environment = {
            **engine.env(),
            "LD_LIBRARY_PATH": str(libraries),
            "XTABLES_LIBDIR": str(libraries / "xtables"),
        }
        with (run_folder / "dockerd.log").open("ab") as log:
            # Spawned rather than a Popen: it outlives the pytest worker that starts
            # it (the controller stops it), and in a session of its own a Ctrl-C
            # meant for pytest does not cut it mid-write.
            pid = os.posix_spawn(
                dockerd,
                arguments,
                environment,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, log.fileno(), 1),
                    (os.POSIX_SPAWN_DUP2, log.fileno(), 2),
                ],
                setsid=True,
            )
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        while not engine.answers():
            if not _alive(pid) or time.monotonic() > deadline:
                tail = (run_folder / "dockerd.log").read_text(errors="replace")[-2000:]
                stop(run_folder)
                raise EngineUnavailable(f"dockerd did not start:\n{tail}")
            time.sleep(0.1)
        return engine


def _mounts_under(folder: Path) -> list[str]:
    mounts = Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines()
    points = [line.split()[1].replace("\\040", " ") for line in mounts]
    return [point for point in points if point.startswith(f"{folder}/")]


def stop(run_folder: Path) -> None:
    """Stop this run's engine, if one runs, and delete its folder."""
    pid = _pid(run_folder)
    if pid is not None and _alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_DEADLINE_SECONDS
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    # dockerd leaves its network namespace mounted under the exec root.
    mounts = _mounts_under(run_folder) if sys.platform.startswith("linux") else []
    for point in reversed(mounts):
        subprocess.run(["umount", "--lazy", point], check=False, capture_output=True)
    shutil.rmtree(run_folder, ignore_errors=True)
