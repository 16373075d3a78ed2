"""The task logic and the retry policy, without a broker."""

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import delivery
from {{ cookiecutter.package_name }}.config import (
    MAX_RETRIES,
    RETRY_BACKOFF_MAX,
    TIME_LIMIT,
    Settings,
    celery_config,
)
from {{ cookiecutter.package_name }}.log_file import append_line
from {{ cookiecutter.package_name }}.worker import send_notification

LINE = "notification for ada@example.com: hello"


def test_the_notification_is_written_once_per_id(tmp_path: Path) -> None:
    log_file, sent_dir = tmp_path / "log.txt", tmp_path / "sent"
    notification_id = str(uuid.uuid4())

    first = delivery.write_notification(
        log_file, sent_dir, notification_id, "ada@example.com", "hello"
    )
    again = delivery.write_notification(
        log_file, sent_dir, notification_id, "ada@example.com", "hello"
    )
    other = delivery.write_notification(
        log_file, sent_dir, str(uuid.uuid4()), "ada@example.com", "hello"
    )

    assert first == again == other == LINE
    assert log_file.read_text(encoding="utf-8").splitlines() == [LINE, LINE]


def test_an_id_that_is_not_a_task_id_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="badly formed"):
        delivery.write_notification(
            tmp_path / "log.txt", tmp_path / "sent", "../escape", "a@example.com", "x"
        )
    assert not (tmp_path / "log.txt").exists()


class FlakyWrite:
    """Stands in for append_line: raises ``error`` for the first ``failures`` calls."""

    def __init__(self, error: Exception, failures: int) -> None:
        self.error, self.failures, self.calls = error, failures, 0

    def __call__(self, path: Path, text: str) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        append_line(path, text)


@pytest.fixture
def flaky(monkeypatch: pytest.MonkeyPatch) -> Callable[[Exception, int], FlakyWrite]:
    def install(error: Exception, failures: int) -> FlakyWrite:
        write = FlakyWrite(error, failures)
        monkeypatch.setattr(delivery, "append_line", write)
        return write

    return install


# Task.apply runs the task here, retries included, without broker or worker; it shows
# which errors the policy retries and how often. The worker tests show the real thing.
def test_a_transient_error_is_retried_until_the_task_succeeds(
    flaky: Callable[[Exception, int], FlakyWrite],
) -> None:
    write = flaky(ConnectionError("mail server did not answer"), 2)

    result = send_notification.apply(args=("ada@example.com", "hello"))

    assert result.state == "SUCCESS"
    assert result.result == LINE
    assert write.calls == 3


def test_a_transient_error_fails_the_task_after_the_last_retry(
    flaky: Callable[[Exception, int], FlakyWrite],
) -> None:
    write = flaky(TimeoutError("mail server timed out"), MAX_RETRIES + 1)

    result = send_notification.apply(args=("ada@example.com", "hello"))

    assert result.state == "FAILURE"
    assert isinstance(result.result, TimeoutError)
    assert write.calls == MAX_RETRIES + 1


def test_a_permanent_error_fails_the_task_at_once(
    flaky: Callable[[Exception, int], FlakyWrite],
) -> None:
    write = flaky(PermissionError("read-only file system"), 1)

    result = send_notification.apply(args=("ada@example.com", "hello"))

    assert result.state == "FAILURE"
    assert isinstance(result.result, PermissionError)
    assert write.calls == 1


def test_the_retry_policy() -> None:
    assert send_notification.autoretry_for == delivery.TRANSIENT_ERRORS
    assert send_notification.retry_backoff is True
    assert send_notification.retry_jitter is True
    assert send_notification.retry_backoff_max == RETRY_BACKOFF_MAX
    assert send_notification.max_retries == MAX_RETRIES


def test_the_embedded_broker_needs_no_server(tmp_path: Path) -> None:
    config = celery_config(
        Settings(data_dir=tmp_path, broker_url=None, result_backend=None)
    )

    assert config["broker_url"].startswith("filesystem://")
    assert config["broker_transport"].endswith(".embedded_broker:Transport")
    assert config["result_backend"] == (tmp_path / "results").resolve().as_uri()
    for option in ("data_folder_in", "data_folder_out", "processed_folder"):
        assert Path(config["broker_transport_options"][option]).is_dir()


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "amqp://guest:guest@127.0.0.1:5672//"]
)
def test_a_broker_url_switches_to_that_broker(tmp_path: Path, url: str) -> None:
    config = celery_config(
        Settings(data_dir=tmp_path, broker_url=url, result_backend="redis://h:6379/1")
    )

    assert config["broker_url"] == url
    assert config["result_backend"] == "redis://h:6379/1"
    assert "broker_transport" not in config
    assert not (tmp_path / "broker").exists()


def test_production_settings() -> None:
    config = celery_config(Settings(broker_url="redis://127.0.0.1:6379/0"))

    assert config["accept_content"] == ["json"]
    assert config["task_serializer"] == config["result_serializer"] == "json"
    assert config["task_acks_late"] is True
    assert config["task_reject_on_worker_lost"] is True
    assert config["worker_prefetch_multiplier"] == 1
    assert config["task_soft_time_limit"] < config["task_time_limit"] == TIME_LIMIT
    assert config["task_track_started"] is True
    assert config["broker_connection_retry_on_startup"] is True
    assert config["result_expires"].total_seconds() > 0
    visibility = config["broker_transport_options"]["visibility_timeout"]
    assert visibility > TIME_LIMIT + RETRY_BACKOFF_MAX
