"""Command-line interface: `flask --app wsgi train|models|catalog|create-admin|worker`."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from recommender.domain.catalog import CatalogError, parse_programs
from recommender.extensions import db
from recommender.ml.artifacts import ArtifactError
from recommender.services import accounts, catalog_edits, catalog_import, catalog_quality, job_queue, jobs, versions
from recommender.services.state import catalogs_of, registry_of

# For automation (containers, CI): the password is read from here instead of being prompted for.
PASSWORD_ENV = "MEMMATCH_ADMIN_PASSWORD"  # noqa: S105 - the name of a variable, not a password

models_cli = AppGroup("models", help="List model versions and choose the active one.")
catalog_cli = AppGroup("catalog", help="Reports on the programs catalogue.")


def _metrics_line(metrics: dict) -> str:
    line = (
        f"top-1 {metrics['top1']:.1%}, top-3 {metrics['top3']:.1%}, MRR {metrics['mrr']:.3f} on {metrics['n']} personas"
    )
    programs = metrics.get("programs")
    if programs:
        line += (
            f"; programs precision@3 {programs['precision_at_3']:.1%}, nDCG@10 {programs['ndcg_at_10']:.1%},"
            f" grounded reasons {programs['grounded_share']:.1%} on {programs['n']} program personas"
        )
    return line


@click.command("train")
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A programs CSV in the contract's format.",
)
@click.option("--activate", is_flag=True, help="Make the new version active if it passes the gate.")
@click.option("--force", is_flag=True, help="With --activate: override a refusing gate (said in the audit log).")
@with_appcontext
def train_command(data_path: Path, activate: bool, force: bool) -> None:
    """Validate FILE, train a version, evaluate it on the personas and print its id and metrics."""
    if force and not activate:
        raise click.UsageError("--force only makes sense with --activate")
    try:
        raw = data_path.read_bytes()
    except OSError as exc:
        raise click.BadParameter(f"cannot read {data_path}: {exc.strerror}", param_hint="--data") from exc
    # The same path as an admin upload: the file is checked and recorded, then trained.
    try:
        _, programs_file = catalog_import.receive(db.session, raw, source_name=data_path.name, actor="cli")
    except CatalogError as exc:
        raise click.ClickException(f"{exc}\nNothing was changed.") from exc
    outcome = versions.train_version(
        db.session,
        programs_file,
        catalogs_of(current_app),
        actor="cli",
        source_name=data_path.name,
        models_dir=Path(current_app.config["MODELS_DIR"]),
        floor=current_app.config["MODEL_ACCURACY_FLOOR"],
        activate=activate,
        force=force,
    )
    click.echo(f"version {outcome.version.id}")
    click.echo(f"programs {outcome.version.program_count}")
    click.echo(f"metrics {_metrics_line(outcome.version.metrics)}")
    for miss in outcome.trained.metrics.misses:
        click.echo(f"  not first: {miss}")
    if outcome.gate is not None:
        click.echo(f"gate {outcome.gate.reason}")
        if not outcome.activated:
            raise click.ClickException(f"version {outcome.version.id} was stored but not activated")
        click.echo(f"active {outcome.version.id}")


@models_cli.command("list")
def list_command() -> None:
    """List versions, newest first; the active one is marked with *."""
    rows = versions.list_versions(db.session)
    if not rows:
        click.echo("no versions yet")
    for v in rows:
        mark = "*" if v.status == "active" else " "
        click.echo(f"{mark} {v.id}  {v.status:<9}  {v.created_at:%Y-%m-%d %H:%M}  "
                   f"{v.program_count:>5} programs  {_metrics_line(v.metrics)}  by {v.created_by}")  # fmt: skip


@models_cli.command("activate")
@click.argument("version_id")
@click.option("--force", is_flag=True, help="Override a refusing gate (said in the audit log).")
def activate_command(version_id: str, force: bool) -> None:
    """Make VERSION_ID the active version (roll forward or back), subject to the gate."""
    try:
        decision = versions.activate(
            db.session, version_id, actor="cli", floor=current_app.config["MODEL_ACCURACY_FLOOR"],
            force=force, catalogs=catalogs_of(current_app),
        )  # fmt: skip
    except versions.VersionError as exc:
        raise click.ClickException(str(exc)) from exc
    except ArtifactError as exc:
        raise click.ClickException(f"refused: the artifact does not verify ({exc}); nothing was changed") from exc
    click.echo(f"gate {decision.reason}")
    if not decision.allowed:
        raise click.ClickException(f"{version_id} was not activated; the active version is unchanged")
    registry_of(current_app).forget_active()
    click.echo(f"active {version_id}")


@models_cli.command("discard")
@click.argument("version_id")
def discard_command(version_id: str) -> None:
    """Discard a candidate version that should never be served."""
    try:
        versions.discard(db.session, version_id, actor="cli")
    except versions.VersionError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"discarded {version_id}")


@click.command("create-admin")
@click.argument("email")
@click.option("--reset", is_flag=True, help="Give an existing admin a new password (ends its sessions).")
@with_appcontext
def create_admin_command(email: str, reset: bool) -> None:
    """Create an admin account for EMAIL; the password is prompted for twice, or read from
    the MEMMATCH_ADMIN_PASSWORD environment variable."""
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    try:
        user = accounts.create_admin(db.session, email=email, password=password, actor="cli", reset=reset)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{'password reset for' if reset else 'created admin'} {user.email}")


@catalog_cli.command("report")
@click.option("--data", "data_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Report on this programs file instead of the active catalogue.")  # fmt: skip
@click.option("--strict", is_flag=True, help="Exit non-zero when a program page is off its program's domains.")
def catalog_report_command(data_path: Path | None, strict: bool) -> None:
    """Coverage per column, most shown programs lacking cost/format/pace, stale and third-party facts."""
    if data_path is not None:
        try:
            programs = parse_programs(data_path.read_bytes(), source=data_path.name).programs
        except OSError as exc:
            raise click.BadParameter(f"cannot read {data_path}: {exc.strerror}", param_hint="--data") from exc
        except CatalogError as exc:
            raise click.ClickException(str(exc)) from exc
        label = data_path.name
    else:
        try:
            version, programs = catalog_edits.active_catalogue(db.session)
        except catalog_edits.NoActiveCatalogue as exc:
            raise click.ClickException("no version is active yet; pass --data FILE") from exc
        label = f"active version {version.id}"
    report, gaps = catalog_quality.quality(db.session, programs)
    click.echo(f"catalogue: {label}, {report.total} programs")
    click.echo("coverage:")
    for c in report.coverage:
        click.echo(f"  {c.column:<16} {c.known:>6} of {c.total:<6} {c.share:6.1%}")
    click.echo(f"shown in the last {catalog_quality.WINDOW_DAYS} days without cost, format or pace: {len(gaps)}")
    for g in gaps[:20]:
        click.echo(f"  {g.times_shown:>7}  {g.program.id}  missing {', '.join(g.missing)}")
    click.echo(f"tuition more than three academic years old: {len(report.stale)}")
    for p, age in report.stale:
        click.echo(f"  {p.id}  {p.tuition_year} ({age} academic years)")
    click.echo(f"program pages off their domains: {len(report.off_domain)}")
    for p in report.off_domain:
        click.echo(f"  {p.id}  {p.url}  (domains {', '.join(p.domains)})")
    click.echo(f"only third-party sources: {len(report.third_party_only)}")
    for p in report.third_party_only:
        click.echo(f"  {p.id}")
    if strict and report.off_domain:
        raise click.ClickException(f"{len(report.off_domain)} program page(s) are not on their program's domains")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty instead of waiting for more.")
@click.option("--name", default=None, help="The worker's name in RQ (default: host and pid).")
@with_appcontext
def worker_command(burst: bool, name: str | None) -> None:
    """Run a training worker on the JOB_QUEUE_URL queue; unfinished jobs are reconciled first."""
    app = current_app._get_current_object()
    if not job_queue.enabled(app):
        raise click.ClickException(
            "JOB_QUEUE_URL is not set: training jobs run inside the web process, so there is nothing to work on"
        )
    try:
        seen = jobs.reconcile_unfinished(db.session, app)
        click.echo(f"reconciled {seen} unfinished job(s); working on queue {app.config['JOB_QUEUE_NAME']}")
        job_queue.run_worker(app, burst=burst, name=name)
    except job_queue.QueueUnavailable as exc:
        raise click.ClickException(f"the job queue at JOB_QUEUE_URL cannot be reached: {exc}") from exc


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI."""
    app.cli.add_command(train_command)
    app.cli.add_command(models_cli)
    app.cli.add_command(catalog_cli)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(worker_command)
