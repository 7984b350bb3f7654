"""Forms of the admin area; every one carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """E-mail and password; `next` is where to go afterwards (checked to be a local path)."""

    email = StringField("E-mail", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class UploadForm(FlaskForm):
    """A programs CSV; its name, size and every row are checked by the shared import service."""

    file = FileField("Programs file (CSV, at most 5 MiB)", validators=[FileRequired("Choose a CSV file to upload.")])
