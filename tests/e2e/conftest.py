"""What the end-to-end tests share: headless Chromium (skipped with a message where Debian's
chromium is missing), the Kutai Timur demo, and one rule: no database session may outlive its
test."""

from pathlib import Path

import pytest
from django.db import DatabaseError, connection

CHROMIUM = Path("/usr/bin/chromium")
SKIP_MESSAGE = (
    "Chromium not found: install Debian's chromium (apt-get install chromium) "
    "to run the end-to-end test"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_sqlite():
    """On SQLite the live server shares the test's in-memory database connection across its
    threads, and a page's parallel requests (map, feed, counts) may then collide on it
    ("database unavailable: InterfaceError"). Serve one request at a time there; Django's
    server closes each connection when it is not threaded, so the browser never waits on a
    kept-alive socket. PostgreSQL keeps the threaded server, one connection per thread."""
    from django.conf import settings
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class SerialWSGIServer(WSGIServer):
        # The live server thread itself already holds the shared connections.
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        threaded = LiveServerThread.server_class
        LiveServerThread.server_class = SerialWSGIServer
        yield
        LiveServerThread.server_class = threaded
    else:
        yield


@pytest.fixture(autouse=True)
def _chromium_or_skip():
    """Skip before the demo is loaded, with a message saying how to get the browser."""
    if not CHROMIUM.exists():
        pytest.skip(SKIP_MESSAGE)


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # meanwhile are plain synchronous ones, so Django's async-safety guard may stand down.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def demo(transactional_db):
    from siaga.core.audit import AuditContext
    from siaga.demo.services import demo_load

    return demo_load(context=AuditContext.cli(), national_regions=False)


@pytest.fixture(autouse=True)
def _no_stray_database_sessions(transactional_db):
    """Chromium may keep an HTTP keep-alive socket open after its context closes, and the live
    server thread serving it then keeps its PostgreSQL session: the test database could not be
    dropped at the end of the run. End such sessions once the test is over.

    Under Playwright a test body may run on a database connection of its own (another
    execution context), which the previous test's clean-up ended: start from a fresh one."""
    fresh_connection()
    yield
    fresh_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def fresh_connection() -> None:
    """Start this execution context on a new database connection (the previous test's
    clean-up may have ended the one it held). Test bodies under Playwright call it first."""
    try:
        connection.close()
    except DatabaseError:  # already ended by the server: nothing to close
        connection.connection = None
