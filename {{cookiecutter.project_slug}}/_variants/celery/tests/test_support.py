import pytest

from tests.support import NO_BROKER_REASON, configured_broker_url


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "amqp://guest:guest@127.0.0.1:5672//"]
)
def test_a_real_broker_url_is_used(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("CELERY_BROKER_URL", url)

    assert configured_broker_url() == url


@pytest.mark.parametrize("url", [None, "", "filesystem://localhost/"])
def test_without_a_real_broker_the_test_is_skipped_with_how_to(
    monkeypatch: pytest.MonkeyPatch, url: str | None
) -> None:
    monkeypatch.delenv("CI", raising=False)
    if url is None:
        monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    else:
        monkeypatch.setenv("CELERY_BROKER_URL", url)

    with pytest.raises(pytest.skip.Exception, match="set CELERY_BROKER_URL="):
        configured_broker_url()


def test_under_ci_a_missing_broker_fails_instead(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)

    with pytest.raises(pytest.fail.Exception) as failure:
        configured_broker_url()
    assert str(failure.value) == NO_BROKER_REASON
