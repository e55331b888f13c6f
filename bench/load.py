"""A small load generator: GET one path from a few threads on loopback, timing each answer.

Standard library only (http.client): nothing to install, and on two cores a client that does
little leaves the CPU to the server. gunicorn's sync workers close the connection after each
answer, so each thread reconnects as a browser without keep-alive would; the time counted runs
from sending the request to reading the whole body.
"""

import http.client
import itertools
import secrets
import threading
import time

from bench.report import Result

TIMEOUT = 60  # seconds for one answer (gunicorn's worker timeout is 30)


def drive(page, port, requests, concurrency, time_limit, host="127.0.0.1", headers=None):
    """`requests` GETs of page.path from `concurrency` threads; fewer if `time_limit` seconds
    pass first. Only 2xx answers count as successes; anything else is an error, by kind.
    `headers`: sent with each request on top of Accept (a reader's Cookie)."""
    result = Result(page=page)
    lock = threading.Lock()
    tickets = itertools.count()
    run = secrets.token_hex(4)  # fresh cookies differ from one run (the warm-up) to the next
    deadline = time.monotonic() + time_limit

    def worker():
        connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        try:
            while (n := next(tickets)) < requests and time.monotonic() < deadline:
                sent = {**(headers or {}), **page.headers_of(f"{run}-{n}")}
                latency, error, size = _get(connection, page.path, sent)
                with lock:
                    if error:
                        result.errors[error] += 1
                    else:
                        result.latencies.append(latency)
                        result.sizes.append(size)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def _get(connection, path, headers=None):
    """(seconds, None, body bytes) for a 2xx answer, (seconds, what went wrong, body bytes)
    otherwise. No Accept-Encoding is sent: the body is the HTML as the server made it."""
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Accept": "text/html,*/*", **(headers or {})})
        response = connection.getresponse()
        size = len(response.read())
    except (OSError, http.client.HTTPException) as error:
        connection.close()  # the next request opens a new one
        return time.perf_counter() - started, type(error).__name__, 0
    elapsed = time.perf_counter() - started
    if response.will_close:
        connection.close()
    if 200 <= response.status < 300:
        return elapsed, None, size
    return elapsed, f"HTTP {response.status}", size


def get_status(port, path, host="127.0.0.1", timeout=5, headers=None):
    """The status of one GET (no redirect followed), or None when nothing answers."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()
