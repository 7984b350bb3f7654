"""gunicorn settings for MEM Match: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every setting can be changed from the environment (see README, "Production"); gunicorn's own
command-line flags still win over this file.

With `preload_app` the master imports the app once: that runs the migrations and the first-start
training (under a database lock, so several machines starting together do it once), and warms the
active model so that forked workers share its arrays. The master then drops its database
connections, and each worker drops any it inherited, so no socket is ever shared across processes.
"""

from __future__ import annotations

import gc
import os

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def default_workers(cores: int) -> int:
    """2 x cores + 1, the usual rule for CPU-bound sync workers, capped so pools stay small."""
    return max(2, min(2 * cores + 1, 12))


if os.environ.get("GUNICORN_BIND"):
    bind = [address.strip() for address in os.environ["GUNICORN_BIND"].split(",") if address.strip()]
elif os.environ.get("PORT"):
    bind = [f"0.0.0.0:{os.environ['PORT']}"]
else:
    bind = ["127.0.0.1:8000"]

workers = _int("WEB_CONCURRENCY", default_workers(_cores()))
# threads > 1 switches gunicorn to its gthread worker; then size DB_POOL_SIZE to at least threads + 1.
threads = _int("GUNICORN_THREADS", 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread" if threads > 1 else "sync")
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
backlog = _int("GUNICORN_BACKLOG", 2048)

# A request that takes longer than this is stuck (a ranking takes milliseconds): the worker is
# killed and replaced. Graceful shutdown lets in-flight requests finish within its own limit.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)  # gthread only; sync workers close after each response
# Recycle workers now and then so slow leaks cannot grow; the jitter keeps them from all
# restarting at once. Set GUNICORN_MAX_REQUESTS=0 to turn it off.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)

limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190


class AppWritesTheRequestLine(Logger):
    """gunicorn's logger, without an access record when no access log is set.

    The app writes one JSON line per request itself. gunicorn builds an access record for every
    request whenever `logconfig_dict` is set, as it is below, even with no handler to take it: a
    dictionary of every header and a log record per request for a line nobody reads: 30-51 µs of a
    worker's CPU on each `/healthz` here (benchmarks/bench_access_record.py).
    An access log asked for (`--access-logfile`, or syslog with access lines) is written as usual.
    """

    def access(self, resp, req, environ, request_time):
        cfg = self.cfg
        if cfg.accesslog or (cfg.syslog and not cfg.disable_redirect_access_to_syslog):
            super().access(resp, req, environ, request_time)


# The app's own request line (JSON, with the request id) replaces gunicorn's access log.
accesslog = None
logger_class = AppWritesTheRequestLine
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    # The app puts its JSON handler on the root logger when it is created.
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["json"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
    "handlers": {"json": {"()": "recommender.logs.make_handler"}},
    "formatters": {},
}

# One mechanism for proxy headers: the app's ProxyFix, set by PROXY_FIX_HOPS. gunicorn's own
# trust of X-Forwarded-Proto from 127.0.0.1 is turned off so the two cannot disagree.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}

# gunicorn >= 25 opens a control socket in $HOME by default; two instances on one machine would
# fight over it. It is opt-in here.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

proc_name = "memmatch"
# The heartbeat file on a RAM disk: a slow or overlay disk must not make healthy workers look stuck.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108


def _flask_app(server):
    """The Flask app behind gunicorn's wsgi callable, or None before it is loaded."""
    app = getattr(server.app, "callable", None)
    return app if hasattr(app, "app_context") else None


def _dispose_engines(app, *, close: bool) -> None:
    from recommender.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            # close=False in a child: the sockets belong to the parent, which may still use them.
            engine.dispose(close=close)


def when_ready(server):
    """Master, before forking: load the active model once, then drop every database connection."""
    app = _flask_app(server)
    if app is None:
        return
    try:
        from recommender.extensions import db
        from recommender.services.state import registry_of

        with app.app_context():
            version = registry_of(app).active(db.session).version_id
            db.session.remove()
        server.log.info("model warmed in the master", extra={"event": "model_warmed", "target": version})
    except Exception as exc:  # the workers load it themselves on their first request
        server.log.warning("model not warmed: %s", exc)
    _dispose_engines(app, close=True)
    # Everything loaded so far lives as long as the master: keeping it out of the collector's reach
    # stops the workers' garbage collections from copying those shared pages one by one.
    gc.freeze()


def post_fork(server, worker):
    """Worker: never use a connection inherited from the master."""
    app = _flask_app(server)
    if app is not None:
        _dispose_engines(app, close=False)


def worker_exit(server, worker):
    """Worker stopping: write the submissions it still holds (graceful shutdown, max_requests)."""
    app = _flask_app(server)
    if app is None:
        return
    try:
        from recommender.services.submissions import writer_of

        # Retries briefly, then logs how many rows it could not write (never a silent loss).
        writer_of(app).close()
    except Exception as exc:
        server.log.warning("submissions not flushed at exit: %s", exc)
