"""The tasks and the Celery configuration, without a broker."""

import os
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from celery.beat import PersistentScheduler

from {{ cookiecutter.package_name }} import tasks
from {{ cookiecutter.package_name }}.config import (
    MAX_RETRIES,
    RETRY_BACKOFF_MAX,
    TIME_LIMIT,
    Settings,
    celery_config,
)
from {{ cookiecutter.package_name }}.log_file import append_line
from {{ cookiecutter.package_name }}.worker import check_worker_paths

LINE = "notification for ada@example.com: hello"


def test_the_notification_is_written_once_per_id(tmp_path: Path) -> None:
    log_file, sent_dir = tmp_path / "log.txt", tmp_path / "sent"
    first_id, other_id = str(uuid.uuid4()), str(uuid.uuid4())

    for notification_id in (first_id, first_id, other_id):
        line = tasks.write_notification(
            log_file, sent_dir, notification_id, "ada@example.com", "hello"
        )
        assert line == LINE

    assert log_file.read_text(encoding="utf-8").splitlines() == [LINE, LINE]


def test_an_id_that_is_not_a_task_id_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="badly formed"):
        tasks.write_notification(
            tmp_path / "log.txt", tmp_path / "sent", "../escape", "a@example.com", "x"
        )
    assert not (tmp_path / "log.txt").exists()


# Task.apply runs the task here, retries included, without broker or worker: it shows
# which errors the retry policy retries, and how often.
@pytest.mark.parametrize(
    ("error", "failures", "state", "calls"),
    [
        (ConnectionError("mail server did not answer"), 2, "SUCCESS", 3),
        (TimeoutError("timed out"), MAX_RETRIES + 1, "FAILURE", MAX_RETRIES + 1),
        (PermissionError("read-only file system"), 1, "FAILURE", 1),
    ],
    ids=["transient-then-success", "transient-every-time", "permanent"],
)
def test_the_retry_policy(
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    failures: int,
    state: str,
    calls: int,
) -> None:
    made: list[str] = []

    def flaky_append_line(path: Path, text: str) -> None:
        made.append(text)
        if len(made) <= failures:
            raise error
        append_line(path, text)

    monkeypatch.setattr(tasks, "append_line", flaky_append_line)

    result = tasks.send_notification.apply(args=("ada@example.com", "hello"))

    assert result.state == state
    assert len(made) == calls
    assert tasks.send_notification.retry_backoff_max == RETRY_BACKOFF_MAX


def test_the_embedded_broker_needs_no_server(tmp_path: Path) -> None:
    config = celery_config(Settings(data_dir=tmp_path))

    assert config["broker_url"].startswith("filesystem://")
    assert config["broker_transport"].endswith(".embedded_broker:Transport")
    for option in ("data_folder_in", "data_folder_out", "processed_folder"):
        assert Path(config["broker_transport_options"][option]).is_dir()


def test_results_are_stored_in_a_data_dir_of_any_name(tmp_path: Path) -> None:
    """Celery reads a file:// result backend's path without decoding it: a space or
    a letter such as ë must reach it as it is."""
    data_dir = tmp_path / "my projects" / "Zoë's Café"
    app = Celery(config_source=celery_config(Settings(data_dir=data_dir)))

    app.backend.store_result("a-task-id", "its line", "SUCCESS")

    assert app.AsyncResult("a-task-id").result == "its line"
    assert [path.name for path in (data_dir / "results").iterdir()] == [
        "celery-task-meta-a-task-id"
    ]


def test_celery_beat_deletes_expired_result_files(tmp_path: Path) -> None:
    """celery beat schedules Celery's cleanup task for result files (Redis expires
    its own results); the task deletes the results older than ``result_expires``."""
    app = Celery(config_source=celery_config(Settings(data_dir=tmp_path)))
    app.backend.store_result("expired-task-id", "old line", "SUCCESS")
    app.backend.store_result("recent-task-id", "new line", "SUCCESS")
    expired = tmp_path / "results" / "celery-task-meta-expired-task-id"
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(expired, (two_days_ago, two_days_ago))

    # What `celery beat` starts, with the schedule file the configuration names.
    scheduler = PersistentScheduler(
        app, schedule_filename=app.conf.beat_schedule_filename
    )
    try:
        cleanup = scheduler.schedule["celery.backend_cleanup"]
    finally:
        scheduler.close()
    app.tasks[cleanup.task].apply()

    assert [path.name for path in (tmp_path / "results").iterdir()] == [
        "celery-task-meta-recent-task-id"
    ]
    assert app.conf.beat_schedule_filename == str(tmp_path / "celerybeat-schedule")


def test_a_data_dir_the_embedded_broker_cannot_write_is_refused(
    tmp_path: Path,
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")

    with pytest.raises(ValueError, match=r"^APP_DATA_DIR: .*\(a file is in the way\)"):
        celery_config(Settings(data_dir=a_file))
    redis = "redis://127.0.0.1:6379/0"  # an API on Redis writes nothing there
    celery_config(Settings(data_dir=a_file, broker_url=redis, result_backend=redis))


def test_the_worker_checks_the_paths_its_tasks_write(tmp_path: Path) -> None:
    check_worker_paths(Settings(log_file=tmp_path / "log.txt", data_dir=tmp_path))

    assert (tmp_path / "sent").is_dir()
    with pytest.raises(ValueError, match=r"^APP_LOG_FILE="):
        check_worker_paths(Settings(log_file=tmp_path, data_dir=tmp_path))


def test_production_settings_on_redis(tmp_path: Path) -> None:
    config = celery_config(
        Settings(data_dir=tmp_path, broker_url="redis://127.0.0.1:6379/0")
    )

    assert config["broker_url"] == "redis://127.0.0.1:6379/0"
    assert "broker_transport" not in config
    assert config["accept_content"] == ["json"]
    assert config["task_acks_late"] is config["task_reject_on_worker_lost"] is True
    assert config["worker_prefetch_multiplier"] == 1
    assert config["task_soft_time_limit"] < config["task_time_limit"] == TIME_LIMIT
    visibility = config["broker_transport_options"]["visibility_timeout"]
    assert visibility > TIME_LIMIT + RETRY_BACKOFF_MAX
    assert config["broker_transport_options"]["unacked_restore_throttle"] == 1
