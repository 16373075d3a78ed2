"""An HTTP API that hands its slow work to background tasks."""
