

@celery_app.task(name="reports.build")
def build_report(title: str) -> str:
    """Build the report called ``title``; its line is the task's result."""
    line = f"report: {title}"
    append_line(settings.log_file, line)
    return line
