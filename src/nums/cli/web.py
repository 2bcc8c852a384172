"""``nums serve``: the coordinators' web app over a folder of programmes.

Imported only when ``serve`` runs, so no other command loads Starlette or
uvicorn.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import os
import signal
import socket
import sys
import webbrowser
from pathlib import Path
from typing import Any

import click

from nums.errors import NumsError, Problem
from nums.params import WholeNumber

LOOPBACK_NAMES = {"localhost"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


MEBIBYTE = 1024 * 1024
MAX_UPLOAD_MIB = 4096  # 4 GiB: far past any evidence file, short of numbers that overflow


class Mebibytes(click.ParamType):
    """A size in MiB, at least one byte and at most ``MAX_UPLOAD_MIB``, said in plain words
    (click's own say "not in the range x>0")."""

    name = "MIB"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        advice = f"give a number of MiB above 0 and at most {MAX_UPLOAD_MIB}, such as 25 or 0.5"
        try:
            size = float(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a number of MiB ({advice})", param, ctx)
        if not math.isfinite(size) or size > MAX_UPLOAD_MIB or int(size * MEBIBYTE) < 1:
            self.fail(f"{value!r} is out of range ({advice})", param, ctx)
        return size


MEBIBYTES = Mebibytes()


@click.command()
@click.argument(
    "workspace", required=False, default=".", type=click.Path(file_okay=False, exists=True, path_type=Path)
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8765, show_default=True, type=WholeNumber(0, 65535), help="0 picks a free port."
)
@click.option("--no-browser", is_flag=True, help="Do not open a web browser.")
@click.option(
    "--max-upload",
    default=25,
    show_default=True,
    type=MEBIBYTES,
    metavar="MIB",
    help="Largest evidence file accepted, in MiB.",
)
@click.pass_context
def serve(
    ctx: click.Context, workspace: Path, host: str, port: int, no_browser: bool, max_upload: float
) -> None:
    """Work on the programmes in WORKSPACE in a web browser.

    Every folder inside WORKSPACE (up to three levels down) that holds a
    submission.yaml is a programme. Prints the address to open, with a fresh
    token that every request needs; stop with Ctrl-C.
    """
    import uvicorn

    from nums.web.app import create_app
    from nums.web.security import Guard, allowed_hosts, new_token
    from nums.workspace import Workspace

    explicit_host = ctx.get_parameter_source("host") == click.core.ParameterSource.COMMANDLINE
    if not is_loopback(host) and not explicit_host:  # pragma: no cover - the default is loopback
        raise NumsError(Problem("binding a non-loopback address needs --host given explicitly"))
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    token = new_token()
    guard = Guard(token, allowed_hosts(host, bound), int(max_upload * MEBIBYTE), f"nums_token_{bound}")
    standard = (ctx.find_root().obj or {}).get("standard")
    app = create_app(Workspace(workspace, standard), guard)
    shown_host = f"[{host}]" if ":" in host else host
    address = f"http://{shown_host}:{bound}/?token={token}"
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", server_header=False)
    server = uvicorn.Server(config)
    _stop_on_sigterm(server)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: uvicorn stops, then re-raises it
        if not is_loopback(host):
            click.echo(
                f"warning: listening on {host}: anyone who can reach port {bound} and has the address "
                "can read and change every programme in this workspace.",
                err=True,
            )
        click.echo(address)
        sys.stdout.flush()
        if not no_browser and _has_display():
            with contextlib.suppress(Exception):
                webbrowser.open(address)
        server.run(sockets=[sock])
    ctx.exit(0)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it small answers wait ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise NumsError(
            Problem(
                f"cannot listen on {host}:{port}: {exc.strerror}",
                suggestion="choose another --port, or --port 0 for any free one",
            )
        ) from None
    sock.listen(128)  # connections made before the app is ready wait instead of being refused
    return sock


def _stop_on_sigterm(server: object) -> None:
    """SIGTERM stops the server the way Ctrl-C does: finish, exit 0."""

    def handle(signum: int, frame: object) -> None:
        server.should_exit = True  # type: ignore[attr-defined]

    signal.signal(signal.SIGTERM, handle)


def _has_display() -> bool:
    if sys.platform in {"darwin", "win32"}:
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_site(folder: Path, host: str, port: int, workers: int) -> None:
    """``nums site run``: the site in FOLDER under uvicorn, ``workers`` processes sharing one
    socket. Here, not in ``cli/site.py``, because only this module of the CLI imports the web app."""
    import uvicorn

    from nums.site import accounts, mail, sessions
    from nums.site.folder import open_site
    from nums.web.app import SITE_FOLDER_VARIABLE

    site = open_site(folder)  # settings checked and the database migrated once, before any worker
    with site.transaction() as db:
        sessions.end_expired(db)
        accounts.forget_old_attempts(db)
    site.engine.dispose()
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    os.environ[SITE_FOLDER_VARIABLE] = str(folder.resolve())
    config = uvicorn.Config(
        "nums.web.app:site_app_from_environment",
        factory=True,
        workers=workers,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        proxy_headers=False,  # the site's middleware reads X-Forwarded-* from trusted_proxies only
    )
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(
        f"serving the site {folder} at {site.settings.site.address} "
        f"(listening on http://{shown_host}:{bound}, {workers} worker{'s' if workers != 1 else ''})"
    )
    for note in mail.startup_notes(site.settings):
        click.echo(note)
    if site.settings.site.trusted_proxies:
        click.echo(f"believing X-Forwarded-For/-Proto from {', '.join(site.settings.site.trusted_proxies)}")
    sys.stdout.flush()
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        if workers > 1:
            _supervise(config, server, sock)
        else:
            _stop_on_sigterm(server)
            server.run(sockets=[sock])


def _supervise(config: Any, server: Any, sock: socket.socket) -> None:
    """uvicorn's supervisor of several workers on one socket: it took the worker's ``target``
    until 0.30; later ones make their own."""
    import inspect

    from uvicorn.supervisors import Multiprocess

    if "target" in inspect.signature(Multiprocess).parameters:
        Multiprocess(config, target=server.run, sockets=[sock]).run()  # type: ignore[call-arg,unused-ignore]
    else:
        Multiprocess(config, sockets=[sock]).run()
