"""Serve a baked project's app with uvicorn, as the benchmark needs it.

Run it with the project's own interpreter (its venv's ``python``), in the folder
whose environment variables the app should read (``APP_LOG_FILE``, ``CELERY_*``...):

    <venv>/bin/python bench/serve.py --package background_tasks_app --fd 3

It serves ``<package>.main:app``, or ``--app module:attribute`` (a peer of
bench/peer_apps/, found in ``--app-dir``), on the listening TCP socket it inherits
(``--fd``; uvicorn's own ``--fd`` would take it for a Unix socket and leave Nagle's
algorithm on), or on ``--bind HOST:PORT`` (a server in a network namespace of
measurement 8, whose socket must be made there), in one process, with uvicorn's
defaults otherwise (uvloop and httptools when installed, as ``fastapi run`` does).
The project's code is not changed; two options change what the running app does,
from the outside:

``--task-seconds S``
    Every background task of an in-process pattern sleeps ``S`` seconds before it
    writes its line: ``<package>.tasks.append_line``, the write every task ends in,
    is replaced by a slower one.
``--bare-route``
    Adds ``POST /bare/{email}``: the same email validation as the real endpoint and
    a similar JSON answer, but nothing scheduled. The baseline for the others.

Deliberately no ``from __future__ import annotations``: the bare route's parameter is
annotated with the project's own type, which FastAPI must see as an object.
"""

import argparse
import importlib
import socket
import sys
import time
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel


class Acknowledged(BaseModel):
    message: str


def make_every_task_slow(package: str, seconds: float) -> None:
    """Make each background write take ``seconds`` longer, in the thread it runs in."""
    tasks: Any = importlib.import_module(f"{package}.tasks")
    write_line = tasks.append_line

    def write_line_slowly(path: Path, text: str) -> None:
        time.sleep(seconds)  # stands in for slow work: a mail server, say
        write_line(path, text)

    tasks.append_line = write_line_slowly


def add_bare_route(app: FastAPI, package: str) -> None:
    """Add ``POST /bare/{email}``: validated as the real endpoint; schedules nothing."""
    recipient_email = importlib.import_module(f"{package}.params").RecipientEmail

    async def acknowledge(
        email: recipient_email,  # type: ignore[valid-type]
    ) -> Acknowledged:
        """Validate `email` and answer; no background work."""
        return Acknowledged(message="Nothing scheduled in the background")

    app.post("/bare/{email}")(acknowledge)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", help="the project's import name")
    parser.add_argument("--app", help="module:attribute, instead of --package")
    parser.add_argument("--app-dir", help="where --app's module is")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--fd", type=int, help="a listening TCP socket to serve on")
    where.add_argument(
        "--bind", help="HOST:PORT to listen on, for a server in a network namespace"
    )
    parser.add_argument("--task-seconds", type=float, default=0.0)
    parser.add_argument("--bare-route", action="store_true")
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    if arguments.app:
        sys.path.insert(0, arguments.app_dir or ".")
        module, _, attribute = arguments.app.partition(":")
        app: FastAPI = getattr(importlib.import_module(module), attribute)
    else:
        app = importlib.import_module(f"{arguments.package}.main").app
    if arguments.task_seconds > 0:
        make_every_task_slow(arguments.package, arguments.task_seconds)
    if arguments.bare_route:
        add_bare_route(app, arguments.package)
    if arguments.bind:
        host, _, port = arguments.bind.rpartition(":")
        listener = socket.create_server((host, int(port)), backlog=1024)
    else:
        listener = socket.socket(fileno=arguments.fd)  # family and type from the fd
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[listener])


if __name__ == "__main__":
    main()
