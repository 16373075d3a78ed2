

@log_failures
def write_audit(log_file: Path, line: str) -> None:
    """Append an audit line (blocking I/O: a plain function, run in the thread pool)."""
    append_line(log_file, f"audit: {line}")


@log_failures
async def call_webhook(log_file: Path, event: str) -> None:
    """Tell a webhook about ``event``; this one refuses the event "refuse"."""
    if event == "refuse":
        raise ConnectionRefusedError("the webhook refused the event")
    await asyncio.to_thread(append_line, log_file, f"webhook: {event}")
