from fastapi.testclient import TestClient

from background_tasks_app import tasks
from background_tasks_app.config import Settings

from tests.support import TASK_ID, FakeQueue


def test_a_report_is_queued_on_the_new_router(
    api: TestClient, queue: FakeQueue
) -> None:
    response = api.post(
        "/reports", json={"title": "Q3"}, headers={"X-Requester": "ada"}
    )

    assert response.status_code == 202
    assert response.json() == {
        "task_id": TASK_ID,
        "status_url": f"/tasks/{TASK_ID}",
        "requested_by": "ada",
    }
    assert queue.sent == [("reports.build", ("Q3",))]
    assert response.headers["X-Served-By"] == "extension kit"


def test_a_json_body_on_the_existing_router(api: TestClient, queue: FakeQueue) -> None:
    response = api.post("/notes", json={"text": "hello"})

    assert response.status_code == 202
    assert queue.sent == [("reports.build", ("note hello",))]


def test_an_unreachable_broker_gives_503_on_the_new_endpoint(
    api: TestClient, queue: FakeQueue
) -> None:
    queue.unreachable = True

    response = api.post("/reports", json={"title": "Q3"})

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"


def test_the_report_task_writes_its_line(settings: Settings) -> None:
    result = tasks.build_report.apply(args=("Q3",))

    assert result.state == "SUCCESS"
    assert result.result == "report: Q3"
    assert (
        settings.log_file.read_text(encoding="utf-8").splitlines()[-1] == "report: Q3"
    )


def test_the_schema_keeps_each_rule_on_its_own_endpoint(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]

    assert "requestBody" in paths["/reports"]["post"]
    assert "415" not in paths["/reports"]["post"]["responses"]
    assert "415" not in paths["/notes"]["post"]["responses"]
