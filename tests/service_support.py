"""The real sync service for tests: `fieldlog serve` as a subprocess on a free loopback
port, and tokens issued through the CLI, as the bureau would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from tui_app.cli import cli


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def issue(store_url: str, inspector: str, *, role: str = "inspector",
          expires: int | None = None) -> str:
    """A token's full text, from `fieldlog token issue` (it prints only that on stdout)."""
    args = ["token", "issue", "--store", store_url, "--inspector", inspector, "--role", role]
    if expires is not None:
        args += ["--expires", str(expires)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


class Service:
    """`fieldlog serve --store URL` on 127.0.0.1:<free port>; start, kill, restart."""

    def __init__(self, store_url: str, folder: Path, *, workers: int = 1,
                 extra: tuple[str, ...] = (), env: dict[str, str] | None = None) -> None:
        self.store_url = store_url
        self.folder = folder
        self.workers = workers
        self.extra = extra
        self.env = env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = folder / f"serve-{self.port}.log"
        folder.mkdir(parents=True, exist_ok=True)

    def start(self, env: dict[str, str] | None = None) -> Service:
        full_env = {key: value for key, value in os.environ.items()
                    if key != "FIELDLOG_CRASH_AT"}
        full_env.update({"FIELDLOG_LANG": "en", **self.env, **(env or {})})
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tui_app", "serve", "--store", self.store_url,
                 "--port", str(self.port), "--workers", str(self.workers), *self.extra],
                env=full_env, stdout=log, stderr=log, start_new_session=True)
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited {self.proc.returncode}: {self.log.read_text()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"serve did not start: {self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the whole service (uvicorn's workers too), as a power cut would."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None

    def access_log(self) -> list[dict[str, object]]:
        import json

        lines = []
        for line in self.log.read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def __enter__(self) -> Service:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class DroppingRelay:
    """A tiny TCP relay in front of the service that cuts the connection `cut` bytes into
    the answer to each of the first `drops` pushes: the push arrived (and was committed),
    its answer never fully does, as a flaky mobile network or a proxy would have it."""

    def __init__(self, upstream_port: int, *, drops: int, cut: int = 60) -> None:
        self.upstream_port = upstream_port
        self.drops = drops
        self.cut = cut
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _take_drop(self) -> bool:
        with self._lock:
            if self.drops > 0:
                self.drops -= 1
                return True
            return False

    def _relay(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        pushing = threading.Event()

        def forward() -> None:
            try:
                while chunk := client.recv(65536):
                    if b"POST /v1/push" in chunk:
                        pushing.set()
                    upstream.sendall(chunk)
            except OSError:
                pass

        threading.Thread(target=forward, daemon=True).start()
        sent = None  # bytes of a doomed push answer passed on so far
        try:
            while chunk := upstream.recv(65536):
                if sent is None and pushing.is_set() and self._take_drop():
                    sent = 0
                if sent is not None:
                    client.sendall(chunk[:max(0, self.cut - sent)])
                    sent += len(chunk)
                    if sent >= self.cut:
                        break
                    continue
                pushing.clear()
                client.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (client, upstream):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def close(self) -> None:
        self.server.close()
