

class Note(BaseModel):
    text: str


@router.post("/notes", status_code=status.HTTP_202_ACCEPTED)
def add_note(note: Note, queue: TaskQueueDep, request: Request) -> Queued:
    """Build a report of a note, sent as a JSON body, on a worker."""
    task_id = queue.send(tasks.build_report, f"note {note.text}")
    status_url = request.url_for("task_status", task_id=task_id).path
    return Queued(message="Report queued", task_id=task_id, status_url=status_url)
