"""A worker killed mid-task, on a real broker: another worker completes the task, and
a notification already written is not written again."""

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.config import Settings

from tests.support import (
    delete_queue,
    settings_from,
    wait_for_final_state,
    wait_until,
)

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="kills a worker's process group"
)


class Workers:
    """Starts ``tests.worker_with_held_task`` processes; kills them all at the end."""

    def __init__(self, env: dict[str, str], flag_dir: Path) -> None:
        self.env = env
        self.flag_dir = flag_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, hold_point: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.worker_with_held_task",
                hold_point,
                str(self.flag_dir),
            ],
            env=self.env,
            start_new_session=True,  # its pool processes share its process group
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool processes: no chance to clean up."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def kill_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)


@pytest.fixture
def real_broker_env(
    real_broker: tuple[str, str | None], tmp_path: Path
) -> Iterator[dict[str, str]]:
    broker_url, result_backend = real_broker
    queue = f"tests-{uuid.uuid4().hex}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(
        CELERY_BROKER_URL=broker_url,
        APP_DATA_DIR=str(tmp_path / "data"),
        APP_LOG_FILE=str(tmp_path / "log.txt"),
        APP_TASK_QUEUE=queue,
    )
    if result_backend:
        env["CELERY_RESULT_BACKEND"] = result_backend
    yield env
    delete_queue(broker_url, queue)


@pytest.fixture
def workers(real_broker_env: dict[str, str], tmp_path: Path) -> Iterator[Workers]:
    flag_dir = tmp_path / "flags"
    flag_dir.mkdir()
    started = Workers(real_broker_env, flag_dir)
    yield started
    (flag_dir / "release").touch()
    started.kill_all()


@pytest.fixture
def api(
    real_broker_env: dict[str, str], api_for: Callable[[Settings], TestClient]
) -> TestClient:
    return api_for(settings_from(real_broker_env))


@pytest.mark.parametrize(
    "hold_point",
    ["before", "after"],
    ids=["killed-before-writing", "killed-after-writing-before-the-ack"],
)
def test_a_task_whose_worker_is_killed_is_completed_by_another_worker_once(
    workers: Workers, api: TestClient, real_broker_env: dict[str, str], hold_point: str
) -> None:
    doomed = workers.start(hold_point)
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    response = api.post(f"/send-notification/{email}")
    assert response.status_code == 202
    status_url = response.json()["status_url"]
    wait_until((workers.flag_dir / "held").exists, "the worker to hold the task")

    workers.kill(doomed)

    assert api.get(status_url).json()["state"] == "STARTED"
    workers.start("nowhere")
    status = wait_for_final_state(api, status_url)
    assert status["state"] == "SUCCESS"
    log_file = Path(real_broker_env["APP_LOG_FILE"])
    assert log_file.read_text(encoding="utf-8").splitlines() == [
        f"notification for {email}: some notification"
    ]
