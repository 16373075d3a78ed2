

class Note(BaseModel):
    text: str


@router.post("/notes")
async def add_note(
    note: Note, background_tasks: BackgroundTasks, settings: SettingsDep
) -> Note:
    """Audit a note, sent as a JSON body, in the background."""
    background_tasks.add_task(write_audit, settings.log_file, f"note {note.text}")
    return note
