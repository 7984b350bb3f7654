"""Importing a programs file: the one path shared by the admin upload and `flask train`.

Bytes in, every problem named, and only a fully valid file goes on to training. An upload is
recorded either way (who, what, when, and why it was refused); nothing else changes on refusal.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.orm import Session

from recommender.domain.catalog import MAX_FILE_BYTES, CatalogError, ProgramsFile, RowError, parse_programs
from recommender.orm import ProgramUpload
from recommender.services import versions

ALLOWED_SUFFIX = ".csv"
# The name of an upload whose request was too large to be read at all (so its file name is unknown).
UNREAD_NAME = "(too large to read)"
# ...and of one whose request was small enough but whose form was not: more parts than the server
# reads, or a text field beside the file over the form's memory limit.
UNREADABLE_FORM_NAME = "(form not readable)"
MAX_STORED_SIZE = 2**31 - 1  # size_bytes is a 32-bit integer column


class ImportRefused(CatalogError):
    """A refused programs file: every `RowError`, and the upload row that records the refusal."""

    def __init__(self, errors: list[RowError], source: str, upload_id: int):
        super().__init__(errors, source)
        self.upload_id = upload_id


def _outer_problems(source_name: str, size: int) -> list[RowError]:
    problems = []
    if source_name == UNREAD_NAME:
        said = f"{size:,} bytes" if size < MAX_STORED_SIZE else "larger than it can say"
        return [RowError(0, "", f"the upload is {said}, over the limit of {MAX_FILE_BYTES:,} bytes; it was not read")]
    if source_name == UNREADABLE_FORM_NAME:
        return [RowError(0, "", f"the upload's form ({size:,} bytes) has too many parts, or too long a text field "
                                "beside the file; it was not read")]  # fmt: skip
    if not source_name.lower().endswith(ALLOWED_SUFFIX):
        problems.append(RowError(0, "", f"the file name must end in {ALLOWED_SUFFIX} (got {source_name[:80]!r})"))
    if size > MAX_FILE_BYTES:
        problems.append(RowError(0, "", f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"))
    return problems


def check_file(raw: bytes, source_name: str) -> ProgramsFile:
    """Validate a programs file: its name, its size, then every row (raises `CatalogError`)."""
    problems = _outer_problems(source_name, len(raw))
    if problems:
        raise CatalogError(problems, source_name)
    return parse_programs(raw, source=source_name)


def receive(
    session: Session, raw: bytes, *, source_name: str, actor: str, reason: str = ""
) -> tuple[ProgramUpload, ProgramsFile]:
    """Check an uploaded file and record the upload.

    A refused file is recorded and committed at once (the refusal is the whole operation) and
    `ImportRefused` is raised. An accepted one is added to the caller's unit of work, uncommitted,
    so that it is stored together with what it leads to (a training job, or a trained version).
    """
    # Only the last part of whatever path a browser or a shell handed over, either slash.
    source_name = Path(source_name.replace("\\", "/")).name[:255] or "upload.csv"
    sha256 = hashlib.sha256(raw).hexdigest()
    try:
        programs_file = check_file(raw, source_name)
    except CatalogError as exc:
        upload = _record(
            session,
            raw=raw,
            # An oversized file is not kept; its report is one line and needs no re-reading.
            kept=raw if len(raw) <= MAX_FILE_BYTES else b"",
            digest=sha256,
            source_name=source_name,
            actor=actor,
            status="refused",
            error_count=len(exc.errors),
            action="upload_refused",
            reason=reason,
            detail={"problems": len(exc.errors), "first": [str(e) for e in exc.errors[:3]]},
        )
        session.commit()
        raise ImportRefused(exc.errors, source_name, upload.id) from exc
    upload = _record(
        session,
        raw=raw,
        kept=raw,
        digest=sha256,
        source_name=source_name,
        actor=actor,
        status="accepted",
        error_count=0,
        action="upload",
        reason=reason,
        detail={"programs": len(programs_file.programs), "sha256": sha256},
    )
    return upload, programs_file


def refuse_unread(session: Session, *, size: int, actor: str, form_unreadable: bool = False) -> ImportRefused:
    """Record an upload refused before it was read (its request was over the size limit or, with
    `form_unreadable`, within it but with a form the server does not read: too many parts).

    `size` is the request's Content-Length (or the limit it passed, for a chunked one); the file
    inside was never read, so only its size is known. Committed at once, like any refusal.
    """
    size = max(0, min(size, MAX_STORED_SIZE))
    name = UNREADABLE_FORM_NAME if form_unreadable else UNREAD_NAME
    problems = _outer_problems(name, size)
    upload = _record(
        session,
        raw=b"",
        kept=b"",
        digest="",
        source_name=name,
        actor=actor,
        status="refused",
        error_count=len(problems),
        action="upload_refused",
        detail={"problems": len(problems), "first": [str(e) for e in problems], "request_bytes": size},
    )
    upload.size_bytes = size
    session.commit()
    return ImportRefused(problems, name, upload.id)


def _record(
    session: Session,
    *,
    raw: bytes,
    kept: bytes,
    digest: str,
    source_name: str,
    actor: str,
    status: str,
    error_count: int,
    action: str,
    detail: dict[str, object],
    reason: str = "",
) -> ProgramUpload:
    """Add an upload row and its audit row to the caller's unit of work."""
    upload = ProgramUpload(
        actor=actor,
        source_name=source_name,
        size_bytes=len(raw),
        sha256=digest,
        status=status,
        error_count=error_count,
        content=kept,
        reason=reason[:500],
    )
    session.add(upload)
    session.flush()
    versions.audit(session, actor=actor, action=action, target=source_name, upload=upload.id,
                   reason=reason[:500] or "no reason given", **detail)  # fmt: skip
    return upload


def report(upload: ProgramUpload) -> list[RowError]:
    """Every problem of a refused upload, read again from its stored bytes."""
    if upload.status != "refused":
        return []
    if upload.size_bytes > MAX_FILE_BYTES or upload.source_name == UNREADABLE_FORM_NAME:  # never read
        return _outer_problems(upload.source_name, upload.size_bytes)
    try:
        check_file(upload.content, upload.source_name)
    except CatalogError as exc:
        return exc.errors
    # The rules moved on since (e.g. a date that was in the future is not any more).
    return [RowError(0, "", "this file would now be accepted; upload it again")]
