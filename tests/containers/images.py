"""The registry images the generated Dockerfile and compose.yaml name, made locally.

No registry is reachable where the suite runs. A Debian 12 root made by debootstrap
becomes the base; ``python:X-slim`` gets one of this machine's Python builds,
``redis:7-alpine`` Debian's Redis and ``mher/flower:2.0`` Flower from PyPI: see the
Dockerfiles beside this module. They are built once, kept in the cache as one
``docker save`` archive, and loaded into each run's engine.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from containers.engine import CACHE, Engine, download, locked, machine_release, run

DEBIAN_IMAGE = "bgtasks-template-test/debian:bookworm"
DEBIAN_RELEASE = "bookworm"
# Beyond debootstrap's minimal base: what a Python build and the official
# python:X-slim image need at run time.
DEBIAN_PACKAGES = (
    "ca-certificates,libssl3,libffi8,libsqlite3-0,zlib1g,libbz2-1.0,liblzma5,"
    "libreadline8,libncursesw6,libexpat1,libuuid1,libgdbm6,libgdbm-compat4,tzdata,netbase"
)
IMAGES_DIR = Path(__file__).parent / "images"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# What a copied Python build needs no part of (a static libpython is 65 MB).
NOT_COPIED = ("site-packages", "test", "idlelib", "tkinter", "turtledemo", "*.a")


def python_image(version: str) -> str:
    return f"python:{version}-slim"


def _debian_archive() -> Path:
    """A tar of a minimal Debian 12 root, made by debootstrap on first use."""
    archive = CACHE / f"debian-{DEBIAN_RELEASE}.tar"
    if archive.is_file():
        return archive
    release, mirror = machine_release()
    with tempfile.TemporaryDirectory(dir=CACHE) as staging:
        folder = Path(staging)
        download(release, mirror, ("debootstrap",), folder)
        tool = folder / "debootstrap"
        for deb in folder.glob("debootstrap_*.deb"):
            run("dpkg-deb", "--extract", deb, tool)
        root = folder / "root"
        run(
            tool / "usr" / "sbin" / "debootstrap",
            "--variant=minbase",
            f"--include={DEBIAN_PACKAGES}",
            DEBIAN_RELEASE,
            root,
            mirror,
            env={
                "DEBOOTSTRAP_DIR": str(tool / "usr" / "share" / "debootstrap"),
                "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            },
        )
        for cache in (
            root / "var" / "cache" / "apt",
            root / "var" / "lib" / "apt" / "lists",
        ):
            shutil.rmtree(cache, ignore_errors=True)
        partial = folder / "debian.tar"
        run("tar", "--numeric-owner", "-C", root, "-cf", partial, ".")
        partial.rename(archive)
    return archive


def _python_context(prefix: Path, version: str, into: Path) -> Path:
    """A build context holding the Python build at ``prefix`` and the CA bundle."""
    context = into / f"python-{version}"
    target = context / "python"
    (target / "bin").mkdir(parents=True)
    shutil.copy2(prefix / "bin" / f"python{version}", target / "bin")
    for part in ("lib", "include"):
        shutil.copytree(
            prefix / part,
            target / part,
            symlinks=True,
            ignore=shutil.ignore_patterns(*NOT_COPIED),
        )
    (target / "lib" / f"python{version}" / "site-packages").mkdir()
    shutil.copy2(CA_BUNDLE, context / "ca-certificates.crt")
    shutil.copy2(IMAGES_DIR / "python.Dockerfile", context / "Dockerfile")
    return context


def _key(pythons: dict[str, Path]) -> str:
    """What the archive depends on: the recipes, the Pythons and the CA bundle."""
    digest = hashlib.sha256()
    for recipe in sorted(IMAGES_DIR.iterdir()):
        digest.update(recipe.name.encode() + recipe.read_bytes())
    for version, prefix in sorted(pythons.items()):
        digest.update(f"{version}={prefix}".encode())
    digest.update(CA_BUNDLE.read_bytes())
    return digest.hexdigest()[:16]


def build(engine: Engine, pythons: dict[str, Path], into: Path) -> list[str]:
    """Build every stand-in image in ``engine``; return their names."""
    docker, env = engine.docker(), engine.env()
    with _debian_archive().open("rb") as archive:
        run(docker, "import", "-", DEBIAN_IMAGE, stdin=archive, env=env)
    names = []
    for version, prefix in pythons.items():
        context = _python_context(prefix, version, into)
        run(
            docker,
            "build",
            "--network=host",
            "--build-arg",
            f"PYTHON={version}",
            "--tag",
            python_image(version),
            context,
            env=env,
        )
        names.append(python_image(version))
    for recipe, name in (("redis", "redis:7-alpine"), ("flower", "mher/flower:2.0")):
        run(
            docker,
            "build",
            "--network=host",
            "--file",
            IMAGES_DIR / f"{recipe}.Dockerfile",
            "--tag",
            name,
            IMAGES_DIR,
            env=env,
        )
        names.append(name)
    return names


def ensure_loaded(engine: Engine, pythons: dict[str, Path]) -> None:
    """Make the stand-in images exist in ``engine``: loaded from the cache's archive,
    or built and archived there on first use."""
    marker = engine.run_folder / "base-images-loaded"
    if marker.exists():
        return
    archive = CACHE / f"base-images-{_key(pythons)}.tar"
    with locked(CACHE / "images.lock"):
        if archive.is_file():
            run(
                engine.docker(), "load", "--quiet", "--input", archive, env=engine.env()
            )
        else:
            with tempfile.TemporaryDirectory(dir=CACHE) as staging:
                names = build(engine, pythons, Path(staging))
                partial = Path(staging) / "images.tar"
                run(
                    engine.docker(),
                    "save",
                    "--output",
                    partial,
                    *names,
                    env=engine.env(),
                )
                for old in CACHE.glob("base-images-*.tar"):
                    old.unlink()
                partial.rename(archive)
    marker.touch()


def python_prefix(interpreter: str) -> Path:
    """Where the Python build of ``interpreter`` is installed."""
    return Path(run(interpreter, "-c", "import sys; print(sys.base_prefix)").strip())
