"""A private PostgreSQL and a real Siaga server (gunicorn) for load tests and fault drills.

``PrivatePostgres`` makes a throw-away cluster with ``initdb`` in a temporary folder and runs it
on a free loopback port, so a drill may stop and start it without touching any shared server.
As root (postgres refuses to run as root) the cluster belongs to the ``postgres`` user and every
command runs through ``runuser``. ``Gunicorn`` starts Siaga the way ``siaga serve`` does
(``config.wsgi:application``, sync workers, 2 by default) on a free port, never 8000.

Only the standard library: the test suite imports this module too.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now (never 8000, which belongs to ``siaga serve``)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port != 8000:
            return port


def pg_bin_dir() -> Path | None:
    """The folder of initdb/pg_ctl/postgres, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent

    def major(path: str) -> int:
        name = Path(path).parent.parent.name
        return int(name) if name.isdigit() else 0

    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=major)
    return Path(versions[-1]).parent if versions else None


def _as_postgres() -> list[str]:
    """Prefix for running a server binary: postgres refuses to start as root."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--"]
    return ["su", "postgres", "-s", "/bin/sh", "-c"]  # pragma: no cover - runuser is in util-linux


class PrivatePostgres:
    """A PostgreSQL cluster of our own on 127.0.0.1:<free port>, trust authentication."""

    def __init__(self) -> None:
        bin_dir = pg_bin_dir()
        if bin_dir is None:
            raise RuntimeError("initdb not found: install PostgreSQL server binaries")
        self.bin = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="siaga-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.prefix = _as_postgres()
        if self.prefix:
            import pwd

            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self.root.chmod(0o700)
        self.running = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.prefix and self.prefix[0] == "su":  # pragma: no cover - see _as_postgres
            command = [*self.prefix, " ".join(command)]
        else:
            command = [*self.prefix, *command]
        return subprocess.run(  # noqa: S603 - our own binaries and arguments
            command, check=check, capture_output=True, text=True, cwd="/"
        )

    @property
    def version(self) -> str:
        return self._run("postgres", "--version").stdout.strip()

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale", "C.UTF-8", "--no-sync",
        )  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# siaga benchmark\n"
                f"port = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\n"
                "max_connections = 100\n"
            )

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        self.running = False

    def close(self) -> None:
        """Stop the server (if it runs) and delete the cluster."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
            self.running = False
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PrivatePostgres:
        try:
            self.init()
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Gunicorn:
    """Siaga served by gunicorn as ``siaga serve`` runs it, in a child process."""

    def __init__(
        self, *, env: dict[str, str], workers: int = 2, threads: int = 1, log_dir: Path
    ) -> None:
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.env = {**os.environ, **env, "SIAGA_ALLOWED_HOSTS": "127.0.0.1,localhost"}
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, ready_path: str = "/api/v1/incidents/categories", timeout: float = 60):
        self.log_dir.mkdir(parents=True, exist_ok=True)
        argv = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--threads", str(self.threads),
            "--access-logfile", str(self.log_dir / "access.log"),
            "--error-logfile", str(self.log_dir / "gunicorn.log"),
            "--chdir", str(REPO),
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            argv, env=self.env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log_dir / 'gunicorn.log'}")
            try:
                with urllib.request.urlopen(self.base + ready_path, timeout=5) as answer:  # noqa: S310
                    status = answer.status
            except urllib.error.HTTPError as answer:
                status = answer.code
            except OSError:
                status = 0
            if 0 < status < 500:  # Django answers (a 401 or 404 is an answer)
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout} s")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Gunicorn:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
