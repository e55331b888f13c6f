"""`make bench`: the public pages' speed on a national dataset, served by gunicorn from PostgreSQL.

For each scale (SCALE, then COMPARE: ten times less data): make sure the database holds the
dataset of `manage.py generate_national` for that seed and scale (made once, then reused; a
marker in the database's comment says which), migrate, start gunicorn as in production (DEBUG
off, hashed static files, HTTPS off on loopback), wait for /healthz, warm up, then drive each
page with a fixed number of requests at a fixed concurrency from bench.load, and print one
table. Last, the verdict against the goals of issue 4 (bench.report). gunicorn is stopped
whatever happens.

    python -m bench.run [--scale 1] [--compare 0.1] [--requests 200] [--concurrency 4]
"""

import argparse
import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from psycopg import sql

from bench import load, report

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GENERATOR = ROOT / "activities" / "management" / "commands" / "generate_national.py"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ketnghia_bench"
DEFAULT_SEED = 20250701
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/14"
MARKER_PREFIX = "ketnghia bench dataset: "
LOGS = ROOT / "test-artifacts" / "bench"  # gunicorn's log of each run (git ignores the folder)
READY_SECONDS = 60


def main(argv=None):
    args = _arguments(argv)
    # A SIGTERM (make interrupted) unwinds like Ctrl-C, so gunicorn is stopped on the way out.
    signal.signal(signal.SIGTERM, _interrupt)
    scales = [args.scale]
    if args.compare and args.compare != args.scale:
        scales.append(args.compare)
    secret = secrets.token_urlsafe(50)
    runs = {}
    commune = None
    LOGS.mkdir(parents=True, exist_ok=True)
    for n, scale in enumerate(scales):
        url, name = database_url(args.database_url, scale)
        env = environment(url, secret, args.cache_url)
        if n == 0:
            _step("Collecting static files")
            manage(env, "collectstatic", "--noinput", "-v", "0")
        size = prepare(env, url, name, args.seed, scale)
        # The same commune on every dataset: the busiest one of the first.
        targets = pick_targets(env, commune)
        commune = targets["commune_slug"]
        pages = [report.Page(**page) for page in targets["pages"]]
        log_path = LOGS / f"gunicorn-{name}.log"
        # Each dataset starts from an empty cache: no page of another dataset is there.
        empty_cache(args.cache_url)
        with Server(env, log_path) as server:
            workers = env.get("WEB_CONCURRENCY") or f"{(os.cpu_count() or 1) * 2 + 1}"
            print(
                f"\n== scale {scale:g}, seed {args.seed}: {size} — database {name}; gunicorn "
                f"{workers} workers on 127.0.0.1:{server.port}; {args.requests} requests per "
                f"page, {args.concurrency} at a time, after {args.warmup} warm-up requests ==",
                flush=True,
            )
            print(f"   agreement page: {targets['agreement']}; commune: {targets['commune']}")
            print(f"   gunicorn's log: {log_path.relative_to(ROOT)}")
            runs[scale] = measure(pages, server.port, args)
        print(report.format_table(runs[scale]), flush=True)
        if any(kind.startswith("HTTP 5") for r in runs[scale] for kind in r.errors):
            print(f"   server errors: see {log_path.relative_to(ROOT)}")
    results = runs[scales[0]]
    smaller = runs[scales[1]] if len(scales) > 1 else None
    if smaller is not None:
        print()
        print(report.format_comparison(results, smaller, f"{scales[0]:g}", f"{scales[1]:g}"))
    passed, reasons = report.verdict(results, smaller)
    print()
    print(report.format_verdict(passed, reasons, compared=smaller is not None))
    return 1 if args.strict and not passed else 0


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="dataset scale (1 = national)")
    parser.add_argument(
        "--compare",
        type=_optional_float,
        default=0.1,
        help="a smaller scale measured after it, for the smaller-data goal ('' for none)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--concurrency", type=int, default=4, help="requests at a time")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument(
        "--time-limit", type=float, default=60, help="seconds at most per page (fewer requests)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL database for scale 1; other scales get a suffix (_0_1)",
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE_URL),
        help="the Redis database the workers share, emptied before each dataset",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    return parser.parse_args(argv)


def _optional_float(value):
    return float(value) if value.strip() else None


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _step(message):
    print(f"-- {message}", flush=True)


# The database ------------------------------------------------------------------------------


def database_url(base_url, scale):
    """(URL, database name) for a scale: ketnghia_bench for 1, ketnghia_bench_0_1 for 0.1."""
    parts = urlsplit(base_url)
    name = parts.path.lstrip("/")
    if scale != 1:
        name = f"{name}_{f'{scale:g}'.replace('.', '_').replace('-', '_')}"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def environment(url, secret, cache_url):
    """Production settings on loopback: DEBUG off, a throwaway key, HTTPS off, Redis as the
    workers' shared cache."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        CACHE_URL=cache_url,
        DEBUG="False",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="False",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def empty_cache(cache_url):
    client = redis.Redis.from_url(cache_url)
    try:
        client.flushdb()
    finally:
        client.close()


def manage(env, *args, capture=False):
    completed = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return completed.stdout


def generator_digest():
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:12]


def _server(url):
    """A connection to the server's maintenance database, outside any transaction."""
    return psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True)


def read_marker(url, name):
    """(exists, marker dict or None)."""
    with _server(url) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if row is None:
        return False, None
    comment = row[0] or ""
    if not comment.startswith(MARKER_PREFIX):
        return True, None
    return True, json.loads(comment.removeprefix(MARKER_PREFIX))


def write_marker(url, name, marker):
    with _server(url) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(MARKER_PREFIX + json.dumps(marker))
            )
        )


def create_database(url, name, drop=False):
    with _server(url) as conn:
        if drop:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def applied_migrations(url):
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]


def prepare(env, url, name, seed, scale):
    """Migrate, and generate the dataset unless the marker says it is there already. A database
    the bench made (it has a marker) is dropped and made again for another seed, scale or
    generator; one without a marker is only ever added to when it holds no agreements
    (generate_national refuses otherwise)."""
    exists, marker = read_marker(url, name)
    wanted = {"seed": seed, "scale": scale, "generator": generator_digest()}
    has_summaries = "rebuild_summaries" in manage(env, "help", "--commands", capture=True)
    if marker and all(marker.get(key) == value for key, value in wanted.items()):
        _step(f"Reusing the dataset in {name} ({marker.get('size', '')})")
        manage(env, "migrate", "--noinput", "-v", "0")
        migrations = applied_migrations(url)
        if has_summaries and (
            not marker.get("summaries") or marker.get("migrations") != migrations
        ):
            # Derived rows (a new or changed summary table) follow the schema they live in.
            _step("Rebuilding the summaries (the schema changed since the data was made)")
            manage(env, "rebuild_summaries")
            write_marker(url, name, {**marker, "summaries": True, "migrations": migrations})
        return marker.get("size", "")
    if not exists or marker:
        _step(f"Creating the database {name}")
        create_database(url, name, drop=exists)
    manage(env, "migrate", "--noinput", "-v", "0")
    _step(f"Generating the dataset (scale {scale:g}, seed {seed}); this runs once")
    started = time.monotonic()
    manage(env, "generate_national", "--seed", str(seed), "--scale", f"{scale:g}")
    seconds = time.monotonic() - started
    _step(f"generate_national took {seconds:.0f} s")
    size = pick_targets(env)["size"]
    size = ", ".join(f"{n:,} {what}" for what, n in size.items())
    write_marker(
        url,
        name,
        {
            **wanted,
            "summaries": has_summaries,
            "migrations": applied_migrations(url),
            "seconds": round(seconds),
            "size": size,
        },
    )
    return size


def pick_targets(env, commune_slug=None):
    code = f"from bench import targets; targets.main({commune_slug!r})"
    output = manage(env, "shell", "-v", "0", "-c", code, capture=True)
    line = next(line for line in output.splitlines() if line.startswith("TARGETS "))
    return json.loads(line.removeprefix("TARGETS "))


# The server and the load -------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the project's configuration, on a free port of 127.0.0.1; stopped on exit
    from the `with` block however it is left."""

    def __init__(self, env, log_path):
        self.port = free_port()
        self.env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        self.log_path = log_path
        self.process = None
        self.log = None

    def __enter__(self):
        _step("Starting gunicorn")
        self.log = open(self.log_path, "w")  # closed in stop()
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "ketnghia/gunicorn.conf.py", "ketnghia.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _wait_ready(self):
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.tail()}")
            if load.get_status(self.port, "/healthz") == 200:
                return
            time.sleep(0.25)
        raise RuntimeError(f"/healthz did not answer 200 in {READY_SECONDS} s:\n{self.tail()}")

    def tail(self, lines=30):
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # gunicorn's graceful shutdown
            try:
                self.process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None and not self.log.closed:
            self.log.close()


def measure(pages, port, args):
    # Every page first, untimed: each worker opens its database connection, loads its
    # templates and fills its caches before any page is timed.
    print(f"   warming up: {args.warmup} requests per page", flush=True)
    for page in pages:
        load.drive(page, port, args.warmup, args.concurrency, args.time_limit)
    results = []
    for page in pages:
        print(f"   measuring {page.label} {page.path}", flush=True)
        results.append(load.drive(page, port, args.requests, args.concurrency, args.time_limit))
    return results


if __name__ == "__main__":
    sys.exit(main())
