"""How task states are stored in Redis (result_backend.py): in one round trip each, a
SUCCESS never replaced (by the script, or by Celery's own rule where the script cannot
read the stored value), the state still published for ``AsyncResult.get()``, and errors
raised as Celery's own backend raises them."""

import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
from celery import Celery, states
from celery.backends.redis import RedisBackend

from background_tasks_app.config import Settings, celery_config
from background_tasks_app.main import create_app
from background_tasks_app.result_backend import Loader, OneTripRedisBackend
from background_tasks_app.task_queue import TaskQueue

from tests.support import WAIT_SECONDS

pytestmark = pytest.mark.redis_results


@pytest.fixture
def backend(settings: Settings) -> Iterator[OneTripRedisBackend]:
    """The worker's result backend, on the run's Redis."""
    app = Celery(loader=Loader, config_source=celery_config(settings))
    backend = app.backend
    assert isinstance(backend, OneTripRedisBackend)
    yield backend
    app.close()


@pytest.fixture
def new_task_id(backend: OneTripRedisBackend) -> Iterator[Callable[[], str]]:
    """Gives task ids whose results are deleted after the test."""
    made: list[str] = []

    def make() -> str:
        made.append(str(uuid.uuid4()))
        return made[-1]

    yield make
    for task_id in made:
        backend.forget(task_id)


@pytest.fixture
def client(real_broker: tuple[str, str | None]) -> Iterator[redis.Redis]:
    _, result_backend = real_broker
    assert result_backend is not None  # see the redis_results marker in conftest.py
    with redis.Redis.from_url(result_backend, socket_timeout=WAIT_SECONDS) as client:
        yield client


def test_the_worker_and_the_api_use_it_for_redis_results(settings: Settings) -> None:
    from background_tasks_app.worker import celery_app

    assert isinstance(celery_app.loader, Loader)
    api_queue: TaskQueue = create_app(settings).state.task_queue
    assert isinstance(api_queue._app.backend, OneTripRedisBackend)


def test_each_state_is_stored_in_one_round_trip(
    backend: OneTripRedisBackend, new_task_id: Callable[[], str], client: redis.Redis
) -> None:
    backend.store_result(new_task_id(), None, states.STARTED)  # loads the script
    task_id = new_task_id()
    done = f"proof-done-{uuid.uuid4().hex}"
    with client.monitor() as monitor:
        backend.store_result(task_id, None, states.STARTED)
        backend.store_result(task_id, "the line", states.SUCCESS)
        client.echo(done)
        seen = []
        while done not in (command := monitor.next_command())["command"]:
            seen.append(command)
    sent = [c["command"] for c in seen if c["client_type"] != "lua"]
    ours = [command for command in sent if task_id in command]
    assert [command.split()[0] for command in ours] == ["EVALSHA", "EVALSHA"]
    # Inside the script: the guard's read, the write and the message, each time.
    ran = [c["command"].split()[0] for c in seen if c["client_type"] == "lua"]
    assert ran == ["GET", "SET", "PUBLISH"] * 2


def test_a_success_is_never_replaced_by_a_later_state(
    backend: OneTripRedisBackend, new_task_id: Callable[[], str], settings: Settings
) -> None:
    """A task delivered twice (its worker died before the ack) runs again: its
    STARTED, or a FAILURE, must not hide the SUCCESS of the first run."""
    task_id = new_task_id()
    backend.store_result(task_id, None, states.STARTED)
    assert backend.get_task_meta(task_id)["status"] == states.STARTED
    backend.store_result(task_id, "the line", states.SUCCESS)
    backend.store_result(task_id, None, states.STARTED)
    backend.store_result(task_id, ValueError("second run"), states.FAILURE)

    stock = Celery(config_source=celery_config(settings))  # reads as Celery's own
    assert type(stock.backend) is RedisBackend
    meta = stock.backend.get_task_meta(task_id)
    stock.close()
    assert (meta["status"], meta["result"]) == (states.SUCCESS, "the line")


def test_a_state_expires_and_is_published_as_celery_does(
    backend: OneTripRedisBackend, new_task_id: Callable[[], str], client: redis.Redis
) -> None:
    task_id = new_task_id()
    key = backend.get_key_for_task(task_id)
    with client.pubsub() as subscriber:
        subscriber.subscribe(key)
        assert subscriber.get_message(timeout=WAIT_SECONDS)["type"] == "subscribe"
        backend.store_result(task_id, "the line", states.SUCCESS)
        message = subscriber.get_message(timeout=WAIT_SECONDS)

    assert message is not None
    assert message["data"] == client.get(key)
    assert 0 < client.ttl(key) <= backend.expires
    result = backend.app.AsyncResult(task_id)
    assert result.get(timeout=WAIT_SECONDS) == "the line"


@pytest.mark.parametrize(
    ("options", "line"),
    [
        ({}, "notification for \udcff@example.com"),  # cjson refuses lone surrogates
        ({"result_compression": "zlib"}, "the line"),
    ],
    ids=["json-that-lua-cannot-read", "compressed"],
)
def test_a_success_the_script_cannot_read_is_kept_by_celerys_own_rule(
    settings: Settings,
    new_task_id: Callable[[], str],
    options: dict[str, str],
    line: str,
) -> None:
    app = Celery(loader=Loader, config_source={**celery_config(settings), **options})
    backend = app.backend
    task_id = new_task_id()
    backend.store_result(task_id, line, states.SUCCESS)
    backend.store_result(task_id, None, states.STARTED)

    meta = backend.get_task_meta(task_id)
    app.close()
    assert (meta["status"], meta["result"]) == (states.SUCCESS, line)


def test_an_unreachable_redis_raises_the_connection_error_as_celerys_own_does(
    settings: Settings,
) -> None:
    unreachable = "redis://127.0.0.1:1/0"
    own = settings.model_copy(update={"result_backend": unreachable})
    app = Celery(loader=Loader, config_source=celery_config(own))
    with pytest.raises(redis.ConnectionError):
        app.backend.store_result(str(uuid.uuid4()), None, states.STARTED)
    app.close()


def test_a_negative_expiry_is_refused_as_celerys_own_backend_refuses_it(
    settings: Settings, new_task_id: Callable[[], str]
) -> None:
    config = {**celery_config(settings), "result_expires": -5}
    app = Celery(loader=Loader, config_source=config)
    task_id = new_task_id()
    with pytest.raises(redis.ResponseError):
        app.backend.store_result(task_id, "the line", states.SUCCESS)
    assert app.backend.get_task_meta(task_id)["status"] == states.PENDING
    app.close()
