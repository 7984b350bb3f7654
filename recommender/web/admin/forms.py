"""Forms of the admin area; every one carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from recommender.domain.catalog import (
    PROGRAM_COLUMNS,
    PROGRAM_FORMATS,
    PROGRAM_PACES,
    PROGRAM_REGIONS,
    SPECIALIZATION_IDS,
)
from recommender.web.appform import AppForm


class LoginForm(AppForm):
    """E-mail and password; `next` is where to go afterwards (checked to be a local path)."""

    email = StringField("E-mail", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class UploadForm(AppForm):
    """A programs CSV; its name, size and every row are checked by the shared import service."""

    file = FileField("Programs file (CSV, at most 5 MiB)", validators=[FileRequired("Choose a CSV file to upload.")])
    reason = StringField("Why (for the audit log)", validators=[Length(max=500)])


# How each column of the programs file is edited; every value is checked by parse_programs anyway.
PROGRAM_LABELS = {
    "id": ("Id", "a-z, 0-9 and single hyphens; it never changes"),
    "university": ("University", "as the university writes it"),
    "program": ("Program", "as the university writes it"),
    "degree": ("Degree", "e.g. MEM, MEng, MS"),
    "city": ("City", "main campus"),
    "state_or_region": ("State or region", ""),
    "country": ("Country", ""),
    "domains": ("Institution's domains", "e.g. duke.edu; separate several with ;"),
    "region": ("Region", ""),
    "formats": ("Formats", "leave all unticked when not known"),
    "paces": ("Paces", "leave all unticked when not known"),
    "duration_months": ("Duration (months, full-time)", "a whole number"),
    "credits": ("Credits", "as stated, with its unit"),
    "tuition_usd": ("Tuition (USD, whole program)", "a whole number; empty when not published"),
    "tuition_year": ("Tuition year", "the academic year it was stated for, e.g. 2025-26"),
    "specializations": ("Specializations", "leave all unticked to let the model infer them"),
    "concentrations": ("Concentrations", "the program's own words; separate with ;"),
    "core_courses": ("Core courses", "titles; separate with ;"),
    "description": ("Description", "one factual sentence"),
    "stem_designated": ("STEM designated", ""),
    "gre_required": ("GRE required", ""),
    "url": ("Program page", "https:// on one of the domains"),
    "source": ("Sources", "every address the facts come from; separate with ;"),
    "tuition_source": ("Tuition source", "one of the sources; filled in for you when the tuition changes"),
    "last_verified": ("Last verified", "YYYY-MM-DD"),
}
LONG_TEXT = frozenset({"concentrations", "core_courses", "description", "source"})
YES_NO_CHOICES = {"": "not known", "yes": "yes", "no": "no", "optional": "optional"}


def _program_field(column: str) -> Field:
    label, hint = PROGRAM_LABELS[column]
    # Choices are offered, not enforced here: a tampered value reaches parse_programs, which names it.
    if column in ("formats", "paces", "specializations"):
        choices = {"formats": PROGRAM_FORMATS, "paces": PROGRAM_PACES, "specializations": SPECIALIZATION_IDS}[column]
        return SelectMultipleField(label, choices={c: c.replace("_", " ") for c in choices}, validate_choice=False,
                                   description=hint, widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput())  # fmt: skip
    if column == "region":
        return SelectField(label, choices={r: r.replace("_", " ") for r in PROGRAM_REGIONS}, validate_choice=False)
    if column in ("stem_designated", "gre_required"):
        return SelectField(label, choices=YES_NO_CHOICES, validate_choice=False)
    if column in LONG_TEXT:
        return TextAreaField(label, description=hint)
    return StringField(label, description=hint)


class ProgramForm(AppForm):
    """One program's every column, plus where the change was checked and why it was made."""

    change_source = StringField(
        "Where you checked the change", description="the address (https://…) of the page that states the new facts"
    )
    verified = BooleanField("I checked this program's facts today (sets last verified to today)")
    reason = TextAreaField("Why", validators=[DataRequired("Say why, for the audit log."), Length(max=500)])


for _column in PROGRAM_COLUMNS:
    setattr(ProgramForm, _column, _program_field(_column))


class RetireForm(AppForm):
    """Retiring a program needs a reason."""

    reason = TextAreaField("Why retire it", validators=[DataRequired("Say why, for the audit log."), Length(max=500)])


def multi_value(column: str, data: object) -> str:
    """A form value as a programs-file cell (lists joined with ;)."""
    if isinstance(data, list | tuple):
        return ";".join(str(v) for v in data)
    return "" if data is None else str(data)
