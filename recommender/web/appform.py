"""The base of every form: uploaded files reach file fields only."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import CombinedMultiDict, MultiDict


class AppForm(FlaskForm):
    """A FlaskForm that reads a submitted file only into a `FileField` of the same name.

    Flask-WTF reads request.files and request.form together, so a file part named like a text
    field (`password`, `reason`, a program's `university`) reached that field as a FileStorage,
    and Length() or the services' `.strip()` failed on it: a 500 on the login page and others.
    """

    class Meta:
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            data = super().wrap_formdata(form, formdata)  # type: ignore[misc]
            if not isinstance(data, CombinedMultiDict):
                return data
            file_fields = {name for name, field in form._fields.items() if isinstance(field, FileField)}
            files = MultiDict([(k, v) for k, v in request.files.items(multi=True) if k in file_fields])
            return CombinedMultiDict((files, request.form))
