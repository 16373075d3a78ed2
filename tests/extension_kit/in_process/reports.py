"""A router of the user's own: a JSON body, a yield dependency, two kinds of task."""

from collections.abc import Iterator

from fastapi import APIRouter, BackgroundTasks, Depends
from pydantic import BaseModel

from .config import SettingsDep
from .tasks import call_webhook, write_audit

router = APIRouter(prefix="/reports", tags=["reports"])


class ReportRequest(BaseModel):
    title: str
    webhook_fails: bool = False


class Accepted(BaseModel):
    title: str


def audit_trail(
    background_tasks: BackgroundTasks, settings: SettingsDep
) -> Iterator[None]:
    """Dependency: once the endpoint has run, schedule an audit line.

    Its scope is "function", so this runs before the response, while the request's
    background tasks can still be added to.
    """
    yield
    background_tasks.add_task(write_audit, settings.log_file, "report requested")


@router.post("", dependencies=[Depends(audit_trail, scope="function")])
async def request_report(
    report: ReportRequest, background_tasks: BackgroundTasks, settings: SettingsDep
) -> Accepted:
    """Build a report in the background: call the webhook, then audit."""
    event = "refuse" if report.webhook_fails else f"report {report.title}"
    background_tasks.add_task(call_webhook, settings.log_file, event)
    background_tasks.add_task(write_audit, settings.log_file, f"{report.title} queued")
    return Accepted(title=report.title)
