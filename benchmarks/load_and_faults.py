"""Proof under load and faults, against real gunicorn processes on PostgreSQL, on loopback only.

    .venv/bin/python benchmarks/load_and_faults.py [--seconds 60] [--clients 32] [--fault-seconds 15]
        [--retrain-at 20] [--workers N] [--pg-admin-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--only load,tamper,kill,dbstop] [--keep] [--json FILE]

Phases (each bounded in time; the whole run takes about seconds + 4 x fault-seconds + startup):
  load    `--seconds` of mixed load (quiz page, API recommendation, results page) at `--clients`
          concurrent clients, on a fresh database created on the local PostgreSQL and dropped
          afterwards. At `--retrain-at` seconds `flask --app wsgi train --data data/programs.csv
          --activate --force` runs: still zero errors, and every response comes from the old or
          the new version.
  tamper  under the same load, a new version whose artifact bytes were tampered with (hash no
          longer matches), then one whose bytes are garbage with a matching hash, are made active
          straight in the database: both refused, the previous version keeps serving.
  kill    under the same load, one busy worker is sent SIGKILL three times: only the request it
          was serving fails, gunicorn replaces it, the others carry on.
  dbstop  a throwaway PostgreSQL cluster (initdb in a temporary directory, its own port) serves a
          second gunicorn under load; the cluster is stopped, then started again: clear 503s
          while it is down, /healthz stays 200, and service recovers without any restart.
  dbfreeze (opt-in: --only dbfreeze) the throwaway cluster hangs (SIGSTOP) for --freeze-seconds
          instead of stopping: connections open but nothing answers. Measures answers, probes
          and worker timeouts; see the production notes for what it shows.

Every figure is printed; the exit status is 1 if any check fails. `--seconds 10 --fault-seconds 8`
makes a smoke run of about a minute.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.harness import (  # noqa: E402
    BIN,
    Gunicorn,
    LoadResult,
    Prober,
    Sample,
    ThrowawayPostgres,
    answer_bodies,
    busy_state,
    create_database,
    drop_database,
    get,
    is_idle,
    percentile,
    run_load,
    sql,
)

PHASES = ("load", "tamper", "kill", "dbstop")
OPT_IN = ("dbfreeze",)


class Report:
    """Prints figures as they come and keeps the pass/fail checks for the summary."""

    def __init__(self) -> None:
        self.checks: list[tuple[str, bool, str]] = []
        self.figures: dict[str, Any] = {}

    def line(self, text: str = "") -> None:
        print(text, flush=True)

    def figure(self, key: str, value: Any, text: str | None = None) -> None:
        self.figures[key] = value
        self.line(f"  {text or key}: {value}")

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append((name, ok, detail))
        self.line(f"  [{'PASS' if ok else 'FAIL'}] {name}{': ' + detail if detail else ''}")
        return ok


def describe_load(report: Report, phase: str, result: LoadResult, seconds: float) -> None:
    """Throughput and latency percentiles, overall and per request kind."""
    samples = result.samples
    report.figure(f"{phase}.requests", len(samples), "requests")
    report.figure(f"{phase}.throughput_rps", round(len(samples) / seconds, 1), "throughput (req/s)")
    capacity = seconds * (os.cpu_count() or 1)
    report.figure(f"{phase}.client_cpu", f"{result.client_cpu_seconds:.1f} CPU-s of {capacity:.0f} core-s",
                  "load generator's own CPU (same machine)")  # fmt: skip
    report.figure(f"{phase}.loadavg", round(os.getloadavg()[0], 2),
                  "1-min load average at the end (server, PostgreSQL, load generator and anything else)")  # fmt: skip
    kinds = ["all", "quiz", "api", "result"]
    report.line(f"  {'kind':<8}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind in kinds:
        ms = [s.ms for s in samples if kind == "all" or s.kind == kind]
        stats = {
            "count": len(ms),
            "rps": round(len(ms) / seconds, 1),
            "p50": round(percentile(ms, 50), 1),
            "p95": round(percentile(ms, 95), 1),
            "p99": round(percentile(ms, 99), 1),
            "max": round(max(ms), 1) if ms else float("nan"),
        }
        report.figures[f"{phase}.latency.{kind}"] = stats
        report.line(f"  {kind:<8}{stats['count']:>8}{stats['rps']:>9}{stats['p50']:>9}{stats['p95']:>9}"
                    f"{stats['p99']:>9}{stats['max']:>9}")  # fmt: skip


def errors_of(samples: list[Sample]) -> list[Sample]:
    return [s for s in samples if s.error]


def show_errors(report: Report, errors: list[Sample], limit: int = 5) -> None:
    by_kind = collections.Counter((s.kind, s.status, s.error[:80]) for s in errors)
    for (kind, status, error), n in by_kind.most_common(limit):
        report.line(f"    {n} x {kind} status={status} {error}")


def submissions_stored(url: str) -> int:
    return sql(url, "SELECT count(*) FROM submissions WHERE channel = 'api'")[0][0]


def settled_submissions(url: str) -> int:
    """The stored count once the background writers have flushed (two equal reads 1.5 s apart)."""
    last = submissions_stored(url)
    for _ in range(10):
        time.sleep(1.5)
        now = submissions_stored(url)
        if now == last:
            return now
        last = now
    return last


def wait_for_submissions(url: str, expected: int, seconds: float = 8.0) -> int:
    """Rows are written in the background each second; wait until they are all there (or time out)."""
    deadline = time.monotonic() + seconds
    stored = submissions_stored(url)
    while stored < expected and time.monotonic() < deadline:
        time.sleep(0.5)
        stored = submissions_stored(url)
    return stored


def server_env(database_url: str, models_dir: Path, workers: int | None) -> dict[str, str]:
    env = {
        "MEMMATCH_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "MODELS_DIR": str(models_dir),
        "MODEL_REFRESH_SECONDS": "2",
        "LOG_LEVEL": "INFO",
    }
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    return env


# --------------------------------------------------------------------------- phases


def phase_load(report: Report, server: Gunicorn, db_url: str, args: argparse.Namespace, bodies: list[bytes]) -> None:
    report.line(f"\n== load: {args.seconds:g}s, {args.clients} clients, "
                f"retrain + activation at {args.retrain_at:g}s ==")  # fmt: skip
    old = get(f"{server.base}/healthz")[1]["model_version"]
    report.figure("load.version_before", old, "version before")
    stored_before = settled_submissions(db_url)
    cli_env = {k: v for k, v in server.env.items() if not k.startswith("GUNICORN_")}

    def retrain(note: Any) -> None:
        note("retrain_start")
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", "train", "--data", "data/programs.csv", "--activate", "--force"],
            cwd=ROOT, env=cli_env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        note("retrain_done", (done.returncode, done.stdout, done.stderr[-2000:]))

    def count_connections(note: Any) -> None:
        rows = sql(db_url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                   "AND pid <> pg_backend_pid()")  # fmt: skip
        note("connections", rows[0][0])

    samples = [(at, count_connections) for at in range(5, int(args.seconds), 5)]
    with Prober(server.base, ["/healthz"], interval=0.5) as probe:
        result = run_load(server.base, clients=args.clients, seconds=args.seconds, bodies=bodies,
                          actions=[(args.retrain_at, retrain), *samples])  # fmt: skip
    describe_load(report, "load", result, args.seconds)
    connections = [value for _, name, value in result.events if name == "connections"]
    if connections:
        report.figure("load.db_connections", f"max {max(connections)}, samples {connections}",
                      "app connections to PostgreSQL during the load (pg_stat_activity, every 5 s)")  # fmt: skip
    errors = errors_of(result.samples)
    report.figure("load.errors", len(errors), "errors")
    show_errors(report, errors)
    report.check("load: zero errors under mixed load", not errors, f"{len(errors)} of {len(result.samples)}")

    t_start, _ = result.event("retrain_start")
    t_done, (code, out, err) = result.event("retrain_done")
    lines = dict(line.split(" ", 1) for line in out.splitlines() if " " in line and not line.startswith(" "))
    new = lines.get("active", "")
    report.figure("load.retrain_seconds", round(t_done - t_start, 2), "retrain + activation took (s)")
    report.figure("load.version_after", new or f"(CLI exit {code}: {err.strip()[-300:]})", "version activated")
    report.check("load: retrain and activation succeeded during load", code == 0 and bool(new) and new != old)

    # The commit's own timestamp: the CLI exits a moment after it, and workers may switch before that.
    activated_at = sql(db_url, "SELECT activated_at FROM active_model WHERE id = 1")[0][0].timestamp()
    report.figure("load.activation_at_seconds", round(activated_at - result.started, 2),
                  "activation committed at (s into the load)")  # fmt: skip
    api = [s for s in result.samples if s.kind == "api" and s.status == 200]
    seen = collections.Counter(s.version for s in api)
    pages = collections.Counter(s.version for s in result.samples if s.kind == "result" and s.status == 200)
    report.figure("load.api_versions", dict(seen), "API responses by model_version")
    report.figure("load.result_versions", dict(pages), "results pages by version")
    report.check("load: every response came from the old or the new version",
                 set(seen) | set(pages) <= {old, new})  # fmt: skip
    old_after = [s for s in api if s.version == old and s.start > activated_at]
    new_api = [s for s in api if s.version == new]
    lag = max((s.start - activated_at for s in old_after), default=0.0)
    report.figure("load.old_version_answers_after_activation", len(old_after),
                  "API answers from the old version that started after the activation commit")  # fmt: skip
    report.figure("load.switch_lag_seconds", round(lag, 2), "last old-version answer started after the commit (s)")
    if new_api:
        report.figure("load.first_new_after_activation_seconds", round(min(s.start for s in new_api) - activated_at, 2),
                      "first new-version answer started after the commit (s)")  # fmt: skip
        report.check("load: no answer from the new version before its activation",
                     min(s.start for s in new_api) >= activated_at - 0.05)  # fmt: skip
    report.check("load: the new version served during the load", bool(new_api), f"{len(new_api)} API answers")
    report.check("load: all workers serve the new version within MODEL_REFRESH_SECONDS (+1 s)", lag <= 3.0,
                 f"{lag:.2f}s")  # fmt: skip
    probe_versions = collections.Counter(body["model_version"] for _, _, status, body in probe.records
                                         if status == 200 and isinstance(body, dict))  # fmt: skip
    report.figure("load.healthz_versions", dict(probe_versions), "/healthz polls by version")

    expected = stored_before + len(api)
    stored = wait_for_submissions(db_url, expected)
    report.figure("load.submissions", f"{stored - stored_before} stored for {len(api)} API answers",
                  "submissions")  # fmt: skip
    report.check("load: every API answer's submission was stored", stored == expected)


def _insert_bad_version(db_url: str, good: str, *, npz_sql: str, sha_sql: str, params: tuple[Any, ...]) -> str:
    bad = f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
    sql(db_url,
        "INSERT INTO model_versions (id, created_at, created_by, source_name, programs_csv, programs_sha256, "
        "program_count, artifact_npz, artifact_meta, artifact_sha256, metrics, status) "
        f"SELECT %s, now(), 'bench:fault', source_name, programs_csv, programs_sha256, program_count, {npz_sql}, "
        f"artifact_meta, {sha_sql}, metrics, 'candidate' FROM model_versions WHERE id = %s",
        (bad, *params, good))  # fmt: skip
    sql(db_url, "UPDATE active_model SET version_id = %s WHERE id = 1", (bad,))
    return bad


def phase_tamper(report: Report, server: Gunicorn, db_url: str, args: argparse.Namespace,
                 bodies: list[bytes]) -> None:  # fmt: skip
    seconds = args.fault_seconds
    report.line(f"\n== tamper: bad artifacts made active under load ({seconds:g}s, {args.clients} clients) ==")
    from recommender.ml.artifacts import content_hash

    good = get(f"{server.base}/healthz")[1]["model_version"]
    report.figure("tamper.serving", good, "version serving before")
    meta = sql(db_url, "SELECT artifact_meta FROM model_versions WHERE id = %s", (good,))[0][0]

    def tamper(note: Any) -> None:
        # Four bytes in the middle of the npz overwritten; the recorded hash is left as it was.
        flipped = "overlay(artifact_npz placing '\\xdeadbeef'::bytea from (length(artifact_npz) / 2) for 4)"
        bad = _insert_bad_version(db_url, good, npz_sql=flipped, sha_sql="artifact_sha256", params=())
        note("tampered", bad)

    def corrupt(note: Any) -> None:
        # Garbage bytes whose hash was recomputed, as a careless restore or a bug could leave them.
        garbage = os.urandom(4096)
        bad = _insert_bad_version(db_url, good, npz_sql="%s", sha_sql="%s",
                                  params=(garbage, content_hash(garbage, bytes(meta))))  # fmt: skip
        note("corrupted", bad)

    def restore(note: Any) -> None:
        sql(db_url, "UPDATE active_model SET version_id = %s WHERE id = 1", (good,))
        note("restored", good)

    actions = [(2.0, tamper), (seconds / 2, corrupt), (seconds - 2.0, restore)]
    with Prober(server.base, ["/healthz", "/readyz"], interval=0.5) as probe:
        result = run_load(server.base, clients=args.clients, seconds=seconds, bodies=bodies, actions=actions)
    describe_load(report, "tamper", result, seconds)
    errors = errors_of(result.samples)
    report.figure("tamper.errors", len(errors), "errors")
    show_errors(report, errors)
    tampered, corrupted = result.event("tampered")[1], result.event("corrupted")[1]
    report.figure("tamper.bad_versions", [tampered, corrupted], "bad versions made active")
    versions = collections.Counter(s.version for s in result.samples if s.kind == "api" and s.status == 200)
    report.figure("tamper.api_versions", dict(versions), "API responses by model_version")
    health = collections.Counter((path, status, body.get("model_version") if isinstance(body, dict) else None)
                                 for _, path, status, body in probe.records)  # fmt: skip
    report.figure("tamper.probes", {f"{p} {s} {v}": n for (p, s, v), n in health.items()}, "/healthz and /readyz polls")
    time.sleep(0.5)
    records, _ = server.log_records()
    refused = [r for r in records if r.get("event") == "version_refused"]
    by_target = collections.Counter(r.get("target") for r in refused)
    reasons = {r.get("target"): (r.get("detail") or {}).get("error", "")[:90] for r in refused}
    report.figure("tamper.refusals", dict(by_target), "'version_refused' log events by version")
    report.figure("tamper.refusing_workers", len({r.get("pid") for r in refused}), "workers that logged a refusal")
    for target, reason in reasons.items():
        report.line(f"    {target}: {reason}")
    report.check("tamper: zero errors while bad versions were active", not errors)
    report.check("tamper: the previous version kept serving every API answer", set(versions) == {good})
    report.check("tamper: both bad versions refused and logged", tampered in by_target and corrupted in by_target)
    report.check("tamper: /healthz and /readyz stayed 200 on the previous version",
                 all(s == 200 and v == good for (_, s, v) in health))  # fmt: skip


def phase_kill(report: Report, server: Gunicorn, db_url: str, args: argparse.Namespace, bodies: list[bytes]) -> None:
    seconds = args.fault_seconds
    report.line(f"\n== kill: SIGKILL a busy worker, three times ({seconds:g}s, {args.clients} clients) ==")
    workers = len(server.worker_pids())
    report.figure("kill.workers", workers, "workers")
    stored_before = settled_submissions(db_url)

    def kill(note: Any) -> None:
        for _ in range(500):  # find a worker that is in the middle of a request, not waiting in select()
            for pid in server.worker_pids():
                state = busy_state(pid)
                if not is_idle(state):
                    os.kill(pid, signal.SIGKILL)
                    note("kill", (pid, state))
                    began = time.monotonic()
                    while time.monotonic() - began < 10:
                        pids = server.worker_pids()
                        if pid not in pids and len(pids) == workers:
                            note("respawned", round(time.monotonic() - began, 2))
                            return
                        time.sleep(0.05)
                    note("respawned", None)
                    return
            time.sleep(0.002)
        note("kill", (None, "no busy worker found"))

    gap = max(2.0, (seconds - 4.0) / 2)
    result = run_load(server.base, clients=args.clients, seconds=seconds, bodies=bodies,
                      actions=[(2.0, kill), (2.0 + gap, kill), (2.0 + 2 * gap, kill)])  # fmt: skip
    describe_load(report, "kill", result, seconds)
    kills = [(at, value) for at, name, value in result.events if name == "kill"]
    respawns = [value for _, name, value in result.events if name == "respawned"]
    errors = errors_of(result.samples)
    in_flight = [s for s in errors if any(s.start <= at <= s.end + 0.05 for at, _ in kills)]
    other = [s for s in errors if s not in in_flight]
    for (at, (pid, state)), respawn in zip(kills, respawns, strict=False):
        lost = sum(1 for s in in_flight if s.start <= at <= s.end + 0.05)
        report.line(f"    killed pid {pid} (state {state}) at +{at - result.started:.2f}s: "
                    f"{lost} in-flight request(s) failed; replacement worker up after {respawn}s")  # fmt: skip
    report.figure("kill.kills", len([k for k in kills if k[1][0]]), "workers killed mid-request")
    report.figure("kill.errors_in_flight", len(in_flight), "failed requests that were in flight on a killed worker")
    report.figure("kill.errors_other", len(other), "other failed requests")
    show_errors(report, errors)
    report.check("kill: only the killed workers' in-flight requests failed", not other and len(in_flight) <= len(kills),
                 f"{len(in_flight)} in flight, {len(other)} other")  # fmt: skip
    report.check("kill: gunicorn replaced every killed worker", all(r is not None for r in respawns) and respawns)
    api_ok = sum(1 for s in result.samples if s.kind == "api" and s.status == 200)
    stored = wait_for_submissions(db_url, stored_before + api_ok) - stored_before
    report.figure("kill.submissions", f"{stored} stored for {api_ok} API answers "
                  f"({api_ok - stored} lost with the killed workers' unflushed queues)", "submissions")  # fmt: skip


def phase_dbstop(report: Report, workdir: Path, args: argparse.Namespace, bodies: list[bytes],
                 cleanup: list[Any]) -> None:  # fmt: skip
    up, down, after = 4.0, max(6.0, args.fault_seconds * 0.6), max(8.0, args.fault_seconds * 0.8)
    seconds = up + down + after
    report.line(f"\n== dbstop: a throwaway PostgreSQL stops for {down:g}s under load ({args.clients} clients) ==")
    pg = ThrowawayPostgres()
    cleanup.append(pg.destroy)
    pg.init()
    pg.start()
    db_url = create_database(pg.url, "memmatch")
    report.figure("dbstop.cluster", f"{pg.dir} port {pg.port}", "throwaway cluster")
    server = Gunicorn("dbstop", workdir, server_env(db_url, workdir / "models-dbstop", args.workers))
    cleanup.append(server.stop)
    report.figure("dbstop.startup_seconds", round(server.start(), 2), "gunicorn first start (migrate + train), s")
    master, pids_before = server.process.pid, server.worker_pids()
    version = get(f"{server.base}/healthz")[1]["model_version"]

    def stop_db(note: Any) -> None:
        note("db_stopping")  # pg_ctl returns once the server is gone; it starts refusing before that
        pg.stop("fast")
        note("db_stopped")

    def start_db(note: Any) -> None:
        pg.start()
        note("db_started")

    with Prober(server.base, ["/readyz", "/healthz"], interval=0.2) as probe:
        result = run_load(server.base, clients=args.clients, seconds=seconds, bodies=bodies, allow_503=True,
                          actions=[(up, stop_db), (up + down, start_db)])  # fmt: skip
    stopped, _ = result.event("db_stopping")
    gone, _ = result.event("db_stopped")
    started, _ = result.event("db_started")
    report.figure("dbstop.stop_took_s", round(gone - stopped, 2), "pg_ctl stop -m fast took (s)")
    describe_load(report, "dbstop", result, seconds)
    before = [s for s in result.samples if s.end < stopped]
    during = [s for s in result.samples if s.start >= stopped and s.end <= started]
    unclear = [s for s in result.samples if s.error]
    non200_after = [s for s in result.samples if s.start > started and s.status != 200]
    recovered = max((s.end for s in non200_after), default=started)
    after = [s for s in result.samples if s.start > started]
    windows = (("before the stop", before, stopped - result.started), ("while down", during, started - stopped),
               ("after the restart", after, result.started + seconds - started))  # fmt: skip
    for name, window, span in windows:
        ok = sum(1 for s in window if s.status == 200)
        report.figure(f"dbstop.window.{name}", f"{len(window) / span:.1f} req/s ({ok} of {len(window)} answered 200)",
                      name)  # fmt: skip
    status_during = collections.Counter((s.kind, s.status) for s in during)
    report.figure("dbstop.statuses_while_down", {f"{k} {st}": n for (k, st), n in sorted(status_during.items())},
                  "answers while the database was down (kind status: count)")  # fmt: skip
    report.figure("dbstop.max_ms_while_down", round(max((s.ms for s in during), default=0), 1),
                  "slowest answer while down (ms)")  # fmt: skip
    report.figure("dbstop.unclear", len(unclear), "answers that were not 200 or a clear 503 (or no answer)")
    show_errors(report, unclear)
    ready = [(t, s) for t, p, s, _ in probe.records if p == "/readyz"]
    health = [(t, s) for t, p, s, _ in probe.records if p == "/healthz"]
    first_503 = min((t for t, s in ready if t >= stopped and s == 503), default=None)
    first_ok = min((t for t, s in ready if t >= started and s == 200), default=None)
    report.figure("dbstop.readyz_503_after_stop_s", round(first_503 - stopped, 2) if first_503 else None,
                  "/readyz answered 503 after the stop (s)")  # fmt: skip
    report.figure("dbstop.readyz_200_after_start_s", round(first_ok - started, 2) if first_ok else None,
                  "/readyz answered 200 again after the start (s)")  # fmt: skip
    report.figure("dbstop.last_non200_after_start_s", round(recovered - started, 2),
                  "last non-200 answer ended after the start (s)")  # fmt: skip
    healthz_down = collections.Counter(s for t, s in health if stopped <= t <= started)
    report.figure("dbstop.healthz_while_down", dict(healthz_down), "/healthz statuses while down")
    pids_after = server.worker_pids()
    report.check("dbstop: zero errors before the stop", not [s for s in before if s.status != 200])
    report.check("dbstop: while down, every answer was 200 or a clear 503 (JSON errors or page, Retry-After)",
                 not unclear, f"{len(unclear)} unclear")  # fmt: skip
    report.check("dbstop: /readyz said 503 while down and /healthz stayed 200",
                 first_503 is not None and set(healthz_down) == {200})  # fmt: skip
    report.check("dbstop: recovered within 5 s of the database's return, with no restart",
                 first_ok is not None and recovered - started <= 5.0 and server.process.pid == master
                 and pids_after == pids_before, f"workers before {pids_before}, after {pids_after}")  # fmt: skip
    api_ok = sum(1 for s in result.samples if s.kind == "api" and s.status == 200)
    stored = wait_for_submissions(db_url, api_ok)
    report.figure("dbstop.submissions", f"{stored} stored for {api_ok} API answers (queued while down, written after)",
                  "submissions")  # fmt: skip
    report.figure("dbstop.version", version, "version served")
    code, took = server.stop()
    report.figure("dbstop.shutdown", f"exit {code} in {took:.2f}s", "graceful shutdown (SIGTERM)")


def phase_dbfreeze(report: Report, workdir: Path, args: argparse.Namespace, bodies: list[bytes],
                   cleanup: list[Any]) -> None:  # fmt: skip
    """Opt-in: the database hangs (every process SIGSTOPped) for longer than gunicorn's timeout.

    Unlike a stopped server, a hung one accepts connections and never answers, so a sync worker
    that reaches the database waits until gunicorn's timeout replaces it. This phase measures
    what that does to answers and probes (figures, not checks) and checks only that service
    returns once the database answers again. It is not part of the default run.
    """
    up, frozen, after = 4.0, args.freeze_seconds, 10.0
    seconds = up + frozen + after
    report.line(f"\n== dbfreeze: a throwaway PostgreSQL hangs for {frozen:g}s under load ({args.clients} clients) ==")
    pg = ThrowawayPostgres()
    cleanup.append(pg.destroy)
    pg.init()
    pg.start()
    db_url = create_database(pg.url, "memmatch")
    server = Gunicorn("dbfreeze", workdir, server_env(db_url, workdir / "models-dbfreeze", args.workers))
    cleanup.append(server.stop)
    server.start()

    def freeze(note: Any) -> None:
        pg.freeze()
        note("frozen")

    def thaw(note: Any) -> None:
        pg.thaw()
        note("thawed")

    with Prober(server.base, ["/healthz", "/readyz"], interval=0.5) as probe:
        result = run_load(server.base, clients=args.clients, seconds=seconds, bodies=bodies, allow_503=True,
                          actions=[(up, freeze), (up + frozen, thaw)])  # fmt: skip
    t_freeze, _ = result.event("frozen")
    t_thaw, _ = result.event("thawed")
    describe_load(report, "dbfreeze", result, seconds)
    during = [s for s in result.samples if t_freeze <= s.start <= t_thaw]
    report.figure("dbfreeze.statuses_while_hung", {f"{k} {st}": n for (k, st), n in
                  sorted(collections.Counter((s.kind, s.status) for s in during).items())},
                  "answers while the database hung (kind status: count)")  # fmt: skip
    report.figure("dbfreeze.max_ms_while_hung", round(max((s.ms for s in during), default=0), 1),
                  "slowest answer while hung (ms)")  # fmt: skip
    lost = [s for s in result.samples if s.error]
    report.figure("dbfreeze.lost", len(lost), "answers that were not 200 or a clear 503 (or no answer)")
    show_errors(report, lost)
    probes = collections.Counter((p, s) for t, p, s, _ in probe.records if t_freeze <= t <= t_thaw)
    report.figure("dbfreeze.probes_while_hung", {f"{p} {s}": n for (p, s), n in sorted(probes.items())},
                  "probes while hung (status 0 = no answer within 5 s)")  # fmt: skip
    time.sleep(0.5)
    records, _ = server.log_records()
    timeouts = sum(1 for r in records if "WORKER TIMEOUT" in str(r.get("message", "")))
    report.figure("dbfreeze.worker_timeouts", timeouts, "workers killed by gunicorn's timeout")
    recovered = [s for s in result.samples if s.start > t_thaw + 5]
    report.check("dbfreeze: answers are all 200 again 5 s after the database resumes",
                 bool(recovered) and all(s.status == 200 for s in recovered))  # fmt: skip
    server.stop()


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load phase (default 60)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--retrain-at", type=float, default=None, help="seconds into the load (default: a third)")
    parser.add_argument("--fault-seconds", type=float, default=15.0, help="length of each fault phase (default 15)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--pg-admin-url", default=os.environ.get("BENCH_PG_ADMIN_URL",
                        "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="the local PostgreSQL on which a fresh database is created and dropped")  # fmt: skip
    phase_names = ",".join(PHASES + OPT_IN)
    parser.add_argument(
        "--only",
        default=",".join(PHASES),
        help=f"comma-separated phases from {phase_names} (default: all but dbfreeze)",
    )
    parser.add_argument("--freeze-seconds", type=float, default=35.0,
                        help="dbfreeze: seconds the database hangs (default 35, past gunicorn's timeout)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this file")
    args = parser.parse_args()
    args.retrain_at = args.seconds / 3 if args.retrain_at is None else args.retrain_at
    phases = [p for p in args.only.split(",") if p]
    if unknown := set(phases) - set(PHASES + OPT_IN):
        parser.error(f"unknown phases: {sorted(unknown)}")
    for url in (args.pg_admin_url,):
        if not url.startswith("postgresql://127.0.0.1") and "@127.0.0.1" not in url and "@localhost" not in url:
            parser.error("loopback only: --pg-admin-url must point at 127.0.0.1 or localhost")

    report = Report()
    workdir = Path(tempfile.mkdtemp(prefix="memmatch-load-"))
    bodies = answer_bodies()
    cleanup: list[Any] = []
    began = time.monotonic()
    report.line(f"MEM Match load and faults: {os.cpu_count()} cores, python {sys.version.split()[0]}, "
                f"1-min load average {os.getloadavg()[0]:.2f} before the start, logs in {workdir}")  # fmt: skip
    try:
        if {"load", "tamper", "kill"} & set(phases):
            name = f"memmatch_bench_{secrets.token_hex(4)}"
            db_url = create_database(args.pg_admin_url, name)
            cleanup.append(lambda: drop_database(args.pg_admin_url, name))
            report.line(f"\n== setup: database {name} on {args.pg_admin_url.rsplit('/', 1)[0]} ==")
            server = Gunicorn("main", workdir, server_env(db_url, workdir / "models-main", args.workers))
            cleanup.append(server.stop)
            took = server.start()
            report.figure("setup.startup_seconds", round(took, 2), "gunicorn first start (migrate + train), s")
            report.figure("setup.workers", len(server.worker_pids()), "workers")
            if "load" in phases:
                phase_load(report, server, db_url, args, bodies)
            if "tamper" in phases:
                phase_tamper(report, server, db_url, args, bodies)
            if "kill" in phases:
                phase_kill(report, server, db_url, args, bodies)
            report.line("\n== main server: shutdown and logs ==")
            code, took = server.stop()
            report.figure("main.shutdown", f"exit {code} in {took:.2f}s", "graceful shutdown (SIGTERM)")
            report.check("main: graceful shutdown exits 0", code == 0)
            records, bad = server.log_records()
            levels = collections.Counter(r.get("level") for r in records)
            requests = [r for r in records if r.get("event") == "request"]
            report.figure("main.log_lines", len(records) + bad, "log lines")
            report.figure("main.log_levels", dict(levels), "log lines by level")
            report.check("main: every log line is JSON", bad == 0, f"{bad} not JSON")
            with_id = bool(requests) and all(r.get("request_id") for r in requests)
            report.check("main: every request line carries a request id", with_id, f"{len(requests)} request lines")
            server_errors = [r for r in records if r.get("event") == "server_error"]
            report.check("main: no unhandled exception logged", not server_errors, f"{len(server_errors)}")
        if "dbstop" in phases:
            phase_dbstop(report, workdir, args, bodies, cleanup)
        if "dbfreeze" in phases:
            phase_dbfreeze(report, workdir, args, bodies, cleanup)
    finally:
        for step in reversed(cleanup):
            try:
                step()
            except Exception as exc:
                print(f"cleanup: {exc}", file=sys.stderr)
        if args.keep:
            print(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    failed = [name for name, ok, _ in report.checks if not ok]
    report.line(f"\n== summary: {len(report.checks) - len(failed)} of {len(report.checks)} checks passed "
                f"in {time.monotonic() - began:.0f}s ==")  # fmt: skip
    for name in failed:
        report.line(f"  FAILED: {name}")
    if args.json:
        args.json.write_text(json.dumps({"figures": report.figures, "checks": report.checks}, indent=1, default=str))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
