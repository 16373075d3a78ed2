"""The test suite; its fixtures are in conftest.py.

The tests make their own settings: neither a .env file nor an APP_* variable of
the shell that runs them reaches the app. This runs before conftest.py,
and so before the app is first imported.
"""

import os

from {{ cookiecutter.package_name }}.config import Settings

# pydantic-settings reads variable names in any case.
for name in [name for name in os.environ if name.upper().startswith("APP_")]:
    del os.environ[name]
Settings.model_config["env_file"] = None
# The app that main.py makes on import writes nowhere; each test makes its own.
os.environ["APP_LOG_FILE"] = os.devnull
