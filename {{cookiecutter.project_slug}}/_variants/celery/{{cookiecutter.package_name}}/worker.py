"""The Celery app and its task: ``celery -A {{ cookiecutter.package_name }}.worker worker`` runs them.

The API sends tasks through a Celery app of its own with the same configuration, made
to fail fast (``task_queue.api_config``): start both with the same environment.
"""

from celery import Celery, Task

from .config import MAX_RETRIES, RETRY_BACKOFF_MAX, Settings, celery_config
from .delivery import TRANSIENT_ERRORS, write_notification

settings = Settings()
celery_app = Celery(__name__)
celery_app.conf.update(celery_config(settings))


@celery_app.task(
    bind=True,
    name="notifications.send",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,  # wait below 1 s, 2 s, 4 s... between tries
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,  # tasks that failed together do not retry together
    max_retries=MAX_RETRIES,
)
def send_notification(self: Task, email: str, message: str) -> str:
    return write_notification(
        settings.log_file, settings.data_dir / "sent", self.request.id, email, message
    )
