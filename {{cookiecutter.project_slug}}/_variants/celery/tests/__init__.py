"""The test suite; its fixtures are in conftest.py.

The tests make their own settings: neither a .env file nor an APP_* or CELERY_*
variable of the shell that runs them reaches the app or the worker. This runs before
conftest.py, and so before the worker's settings are read when it is first imported:
its data and its queue are the suite's own. ``pytest --broker-url`` picks a broker.
"""

import os
import tempfile
import uuid
from pathlib import Path

from {{ cookiecutter.package_name }}.config import Settings

# pydantic-settings, and so the worker, read variable names in any case.
for name in [n for n in os.environ if n.upper().startswith(("APP_", "CELERY_"))]:
    del os.environ[name]
Settings.model_config["env_file"] = None

DATA_DIR = Path(tempfile.mkdtemp(prefix="celery-tests-"))
os.environ["APP_DATA_DIR"] = str(DATA_DIR)
os.environ["APP_LOG_FILE"] = str(DATA_DIR / "log.txt")
# A queue of their own: on a shared broker, no other worker takes these tasks.
os.environ["APP_TASK_QUEUE"] = f"tests-{uuid.uuid4().hex}"
