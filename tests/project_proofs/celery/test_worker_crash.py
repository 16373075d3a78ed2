"""A worker killed mid-task, on a real broker: another worker completes the task, and
a notification already written is not written again."""

import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Workers, settings_from
from fastapi.testclient import TestClient

from background_tasks_app.config import Settings

from tests.support import wait_for_final_state, wait_until

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="kills a worker's process group"
)


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
