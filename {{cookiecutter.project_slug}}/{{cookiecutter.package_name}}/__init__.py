"""An HTTP API that hands its slow work to background tasks."""

__version__ = {{ cookiecutter.version | python_string }}
