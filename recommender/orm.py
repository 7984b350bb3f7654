"""Persistence: typed SQLAlchemy 2 ORM classes (kept apart from trained models and the recommender)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import Mapped, mapped_column

from recommender.extensions import db


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores UTC; SQLite drops the zone, so values read back are made aware again."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use utcnow()")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class _NulSafe:
    """NUL becomes U+FFFD on the way in, in every value written and every value compared with.

    PostgreSQL text cannot hold NUL (psycopg refuses it, which was a 500 on a login address, an
    upload's file name or a reason that carried one) while SQLite keeps it; this way both store and
    match the same thing, and the mark shows where the NUL was.
    """

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return value.replace("\x00", "\ufffd") if value is not None and "\x00" in value else value


class Str(_NulSafe, TypeDecorator[str]):
    """`String(n)` that never sends PostgreSQL a NUL."""

    impl = String
    cache_ok = True  # read from each class's own namespace


class LongText(_NulSafe, TypeDecorator[str]):
    """`Text` that never sends PostgreSQL a NUL."""

    impl = Text
    cache_ok = True


class ModelVersion(db.Model):
    """A trained version: its programs file, its artifact and metrics. Rows are never rewritten
    except for their status, so any version can be served again or rolled back to."""

    __tablename__ = "model_versions"

    id: Mapped[str] = mapped_column(Str(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(Str(255))
    source_name: Mapped[str] = mapped_column(Str(255))
    programs_csv: Mapped[bytes] = mapped_column(LargeBinary)
    programs_sha256: Mapped[str] = mapped_column(Str(64))
    program_count: Mapped[int] = mapped_column(Integer)
    artifact_npz: Mapped[bytes] = mapped_column(LargeBinary)
    artifact_meta: Mapped[bytes] = mapped_column(LargeBinary)
    artifact_sha256: Mapped[str] = mapped_column(Str(64))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    # candidate: trained, never served; active: served now; retired: served before; discarded.
    status: Mapped[str] = mapped_column(Str(16), default="candidate", index=True)
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (CheckConstraint("status in ('candidate', 'active', 'retired', 'discarded')", name="ck_status"),)


class ActiveModel(db.Model):
    """The single pointer to the version every worker serves; one row, id 1."""

    __tablename__ = "active_model"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("model_versions.id"))
    activated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_by: Mapped[str] = mapped_column(Str(255))

    __table_args__ = (CheckConstraint("id = 1", name="ck_single_row"),)


class Submission(db.Model):
    """One recommendation given: the answers, the version that answered, and its top pick."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(Str(64), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    model_version_id: Mapped[str] = mapped_column(ForeignKey("model_versions.id"))
    top_specialization: Mapped[str] = mapped_column(Str(64), index=True)
    channel: Mapped[str] = mapped_column(Str(8))  # "api" or "web"
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The ids of the programs the recommendation showed, best first: what the data-quality page
    # counts to rank missing facts by how often students see them. NULL for older rows.
    shown_program_ids: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class Feedback(db.Model):
    """A "useful / not for me" vote on a specialization or program shown on a results page."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(Str(64), index=True)
    item_kind: Mapped[str] = mapped_column(Str(16))  # "specialization" or "program"
    item_id: Mapped[str] = mapped_column(Str(64))
    useful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdminUser(db.Model):
    """An admin account; the password is stored only as a werkzeug scrypt hash."""

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(Str(255), unique=True)
    password_hash: Mapped[str] = mapped_column(Str(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Sessions carry the epoch they were made in; bumping it (logout, new password) ends them all,
    # which a signed-cookie session could not otherwise do before it expires.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AuditEvent(db.Model):
    """Who did what to the catalogue or the model, and when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(Str(255))
    action: Mapped[str] = mapped_column(Str(32))
    target: Mapped[str] = mapped_column(Str(255), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TrainingJob(db.Model):
    """A background training run started from the admin area, followed by its page."""

    __tablename__ = "training_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    actor: Mapped[str] = mapped_column(Str(255))
    source_name: Mapped[str] = mapped_column(Str(255))
    # queued, running, succeeded, failed
    status: Mapped[str] = mapped_column(Str(16), default="queued")
    version_id: Mapped[str | None] = mapped_column(Str(64), nullable=True)
    error: Mapped[str] = mapped_column(LongText, default="")
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("program_uploads.id", name="fk_training_jobs_upload_id"), nullable=True
    )
    # One job per catalogue revision: the sha256 of the file it trains, unique, so a revision
    # submitted twice (a double click, the same file again) finds the job it already has.
    revision_sha256: Mapped[str | None] = mapped_column(Str(64), nullable=True, unique=True, index=True)
    # The process running it ("host:pid") and when it last said it is alive; a running job whose
    # heartbeat stopped belongs to a worker that was killed, and is marked failed with that reason.
    worker: Mapped[str] = mapped_column(Str(255), default="", server_default="")
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ProgramUpload(db.Model):
    """A programs file handed in through the admin area or the CLI, accepted or refused.

    The bytes are kept (at most the 5 MiB upload limit) so a refusal's full report can be
    produced again for download, and so the audit log can say exactly what was uploaded.
    """

    __tablename__ = "program_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(Str(255))
    source_name: Mapped[str] = mapped_column(Str(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(Str(64))
    # accepted: valid, handed to training; refused: at least one bad row, nothing changed.
    status: Mapped[str] = mapped_column(Str(16))
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # upload: a file handed in; edit: a revision made in the catalogue editor from `base_version_id`.
    kind: Mapped[str] = mapped_column(Str(16), default="upload", server_default="upload")
    reason: Mapped[str] = mapped_column(LongText, default="", server_default="")
    base_version_id: Mapped[str | None] = mapped_column(Str(64), nullable=True)

    __table_args__ = (CheckConstraint("status in ('accepted', 'refused')", name="ck_upload_status"),)


class ReadinessProbe(db.Model):
    """Always empty: /readyz inserts a row here and rolls back, proving the database takes writes."""

    __tablename__ = "readiness_probe"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
