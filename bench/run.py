"""`make bench`: the pages' speed on a national dataset, served by gunicorn from PostgreSQL, as
the public and as leaders get them.

For each scale (SCALE, then COMPARE: ten times less data): make sure the database holds the
dataset of `manage.py generate_national` for that seed and scale (made once, then reused; a
marker in the database's comment says which), migrate, sign in a commune leader and a province
officer (bench.readers: sessions written directly, no login), start gunicorn as in production
(DEBUG off, hashed static files, HTTPS off on loopback), wait for /healthz, check the readers'
sessions, warm up, then drive each page with a fixed number of requests at a fixed concurrency
from bench.load, and print one table. On the first dataset, one more pass: the dashboards
computed for every reader while bench.writer adds an activity a second, in a table of its own.
Last, the verdict against the goals of issue 4 (bench.report). gunicorn and the writer are
stopped whatever happens.

    python -m bench.run [--scale 1] [--compare 0.1] [--requests 200] [--concurrency 4]
"""

import argparse
import hashlib
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
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
WRITER_MARGIN_SECONDS = 30  # the writer's time bound: the pass's longest, and this
WRITER_STOP_SECONDS = 120  # for its last write and the removal of its activities


def main(argv=None):
    args = _arguments(argv)
    # A SIGTERM (make interrupted) unwinds like Ctrl-C, so gunicorn is stopped on the way out.
    signal.signal(signal.SIGTERM, _interrupt)
    scales = [args.scale]
    if args.compare and args.compare != args.scale:
        scales.append(args.compare)
    secret = secrets.token_urlsafe(50)
    runs = {}
    under_writes = writer = None
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
        _step("Signing in the readers (a commune leader, a province officer)")
        readers = sign_in_readers(env, commune)
        log_path = LOGS / f"gunicorn-{name}.log"
        # Each dataset starts from an empty cache: no page of another dataset is there.
        empty_cache(args.cache_url)
        with Server(env, log_path) as server:
            check_readers(server.port, readers)
            workers = env.get("WEB_CONCURRENCY") or f"{(os.cpu_count() or 1) * 2 + 1}"
            print(
                f"\n== scale {scale:g}, seed {args.seed}: {size} — database {name}; gunicorn "
                f"{workers} workers on 127.0.0.1:{server.port}; {args.requests} requests per "
                f"page, {args.concurrency} at a time, after {args.warmup} warm-up requests ==",
                flush=True,
            )
            print(f"   agreement page: {targets['agreement']}; commune: {targets['commune']}")
            names = [f"{label} ({r['username']})" for label, r in readers["by_label"].items()]
            print(f"   signed-in readers: {'; '.join(names)}")
            print(f"   gunicorn's log: {log_path.relative_to(ROOT)}")
            runs[scale] = measure(pages, server.port, args, readers["cookies"])
            print(report.format_table(runs[scale]), flush=True)
            if n == 0:
                # The writer pass, on the main dataset only (the goals compare that one).
                under_writes, writer = measure_under_writes(
                    pages, server.port, args, readers["cookies"], env, commune, name
                )
                base = report.base_of(runs[scale])
                print(report.format_table(under_writes, base_p50=base and base.p(50)), flush=True)
                print(f"   {report.format_writer(writer)}", flush=True)
        if any(
            kind.startswith("HTTP 5")
            for r in runs[scale] + (under_writes if n == 0 else [])
            for kind in r.errors
        ):
            print(f"   server errors: see {log_path.relative_to(ROOT)}")
    smaller = runs[scales[1]] if len(scales) > 1 else None
    return conclude(runs[scales[0]], smaller, under_writes, writer, scales, args.strict)


def conclude(results, smaller, under_writes, writer, scales, strict):
    """Print the comparison (with a smaller dataset) and the verdict: the exit status, 1 for a
    missed goal under --strict."""
    if smaller is not None:
        print()
        print(report.format_comparison(results, smaller, f"{scales[0]:g}", f"{scales[1]:g}"))
    passed, reasons = report.verdict(results, smaller, under_writes, writer)
    print()
    print(
        report.format_verdict(
            passed, reasons, compared=smaller is not None, writer=writer is not None
        )
    )
    return 1 if strict and not passed else 0


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


def _shell(env, code, prefix):
    """Run `code` inside Django with the bench's settings: the JSON of its line `prefix`…"""
    output = manage(env, "shell", "-v", "0", "-c", code, capture=True)
    line = next(line for line in output.splitlines() if line.startswith(prefix))
    return json.loads(line.removeprefix(prefix))


def pick_targets(env, commune_slug=None):
    return _shell(env, f"from bench import targets; targets.main({commune_slug!r})", "TARGETS ")


def sign_in_readers(env, commune_slug):
    """The signed-in readers' accounts (made or set right) and a new session for each, written
    in the database by bench.readers with the server's SECRET_KEY: {"cookies": {label: Cookie
    header}, "by_label": {label: reader}, "check_path": an address only staff get a 200 from}."""
    found = _shell(env, f"from bench import readers; readers.main({commune_slug!r})", "READERS ")
    by_label = {reader["label"]: reader for reader in found["readers"].values()}
    return {
        "cookies": {label: reader["cookie"] for label, reader in by_label.items()},
        "by_label": by_label,
        "check_path": found["check_path"],
    }


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


def check_readers(port, readers):
    """Each reader's session signs it in (the staff-only page answers 200), and nobody without
    one (it does not): otherwise the signed-in rows would measure something else."""
    path = readers["check_path"]
    if load.get_status(port, path) == 200:
        raise RuntimeError(f"{path} answers 200 to nobody signed in: it tells nothing apart")
    for label, cookie in readers["cookies"].items():
        status = load.get_status(port, path, headers={"Cookie": cookie})
        if status != 200:
            raise RuntimeError(f"the {label} is not signed in: {path} answered {status}")


def _headers(page, cookies):
    return {"Cookie": cookies[page.reader]} if page.reader else None


def measure(pages, port, args, cookies, warmup=True):
    # Every page first, untimed: each worker opens its database connection, loads its
    # templates and fills its caches before any page is timed.
    if warmup:
        print(f"   warming up: {args.warmup} requests per page", flush=True)
        for page in pages:
            load.drive(
                page,
                port,
                args.warmup,
                args.concurrency,
                args.time_limit,
                headers=_headers(page, cookies),
            )
    results = []
    for page in pages:
        print(f"   measuring {page.name} {page.path}", flush=True)
        results.append(
            load.drive(
                page,
                port,
                args.requests,
                args.concurrency,
                args.time_limit,
                headers=_headers(page, cookies),
            )
        )
    return results


def measure_under_writes(pages, port, args, cookies, env, commune, name):
    """The computed dashboards again, every reader, while bench.writer adds an activity a
    second: (results, report.WriterSummary). The writer stops by itself after as many writes
    and seconds as the pass can last, or when the pass ends."""
    computed = [page for page in pages if page.computed]
    seconds = len(computed) * args.time_limit + WRITER_MARGIN_SECONDS
    log_path = LOGS / f"writer-{name}.log"
    with Writer(env, commune, count=math.ceil(seconds), seconds=seconds, log_path=log_path) as w:
        print(
            f"\n== scale {args.scale:g}, with a writer: an activity a second added to "
            f"«{w.ready['agreement']}» while the dashboards are computed for every reader ==",
            flush=True,
        )
        print(f"   writer's log: {log_path.relative_to(ROOT)}")
        results = measure(computed, port, args, cookies, warmup=False)
    return results, w.summary


class Writer:
    """bench.writer in a process of its own (`manage.py shell` with the bench's settings),
    writing from when the `with` block is entered (it waits for the writer to be ready) until
    it is left (SIGTERM: the writer finishes its write, removes its activities and reports).
    `summary` then holds what it did."""

    def __init__(self, env, commune, count, seconds, log_path):
        self.code = (
            f"from bench import writer; writer.main({commune!r}, {int(count)}, {float(seconds)})"
        )
        self.env = env
        self.log_path = log_path
        self.process = None
        self.log = None
        self.ready = None
        self.summary = None

    def __enter__(self):
        _step("Starting the writer")
        self.log = open(self.log_path, "w")  # closed in stop()
        self.process = subprocess.Popen(
            [str(BIN / "python"), "manage.py", "shell", "-v", "0", "-c", self.code],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        for line in self.process.stdout:  # until it is ready, or it ends
            if line.startswith("WRITER READY "):
                self.ready = json.loads(line.removeprefix("WRITER READY "))
                return self
        self.stop()
        raise RuntimeError(f"the writer did not start: see {self.log_path}")

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        output = ""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
            try:
                output, _ = self.process.communicate(timeout=WRITER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                output, _ = self.process.communicate()
        if self.log is not None and not self.log.closed:
            self.log.close()
        self.summary = parse_writer(output or "")


def parse_writer(output):
    """The writer's summary from its output; a writer that ended without one (it crashed, see
    its log) counts as an error."""
    for line in reversed(output.splitlines()):
        if line.startswith("WRITER ") and not line.startswith("WRITER READY "):
            return report.WriterSummary.from_json(json.loads(line.removeprefix("WRITER ")))
    return report.WriterSummary(
        errors=Counter({"no summary": 1}), first_error="the writer ended without a summary"
    )


if __name__ == "__main__":
    sys.exit(main())
