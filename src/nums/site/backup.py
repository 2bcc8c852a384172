"""``nums site backup`` and ``nums site restore``: one archive holding a whole site.

The archive (a gzipped tar) holds ``backup.json`` (what it is), ``site.toml``, ``site.secret``, the
database, ``workspace/``, and the awards: ``keys/`` (the private key, restored readable by its
owner only) and ``awards/`` (the issuing folder). It can be written while the site runs:

- SQLite: the database is copied with SQLite's online backup API, which gives one consistent
  moment of it however many workers are writing (``site.db`` in the archive).
- PostgreSQL (or any other ``database_url``): every table is read in one REPEATABLE READ
  transaction, so every row is from the same moment, and written as ``database.json``;
  restore loads those rows into the restored site's database, which must be empty. (A scheme
  that already backs up its PostgreSQL server with ``pg_dump`` loses nothing by also using this.)
- The workspace's files are each written atomically by nums, so each file in the archive is
  whole; a save made while the archive is written may or may not be in it. Symbolic links are
  not followed, and not archived.

Restore writes only into an empty (or new) folder, and takes from the archive only regular files
and folders under the names above: never a link, an absolute name or a ``..``.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import tarfile
import tempfile
import zlib
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import Engine, insert, select, text

from nums.errors import NumsError, Problem
from nums.site import AWARDS_FOLDER, DATABASE_FILE, KEYS_FOLDER, SECRET_FILE, SETTINGS_FILE, WORKSPACE_FOLDER
from nums.site import db as tables
from nums.site.settings import SiteSettings, read_settings

MANIFEST = "backup.json"
ROWS_FILE = "database.json"
FORMAT = 1
TREES = (WORKSPACE_FOLDER, KEYS_FOLDER, AWARDS_FOLDER)  # folders archived whole, files only
_TOP = {MANIFEST, SETTINGS_FILE, SECRET_FILE, DATABASE_FILE, ROWS_FILE, *TREES}


def backup(folder: Path, out: Path) -> dict[str, Any]:
    """Write the archive of the site in ``folder`` at ``out``; what it holds, as a summary."""
    from nums.writing import Input, atomic_output, check_outputs

    settings = read_settings(folder)
    check_outputs([("", out)], [Input(folder, "the site folder", folder=True)])
    engine = tables.engine_for(settings.database_url)
    summary: dict[str, Any] = {"format": FORMAT, "created": tables.now().isoformat(), "workspace_files": 0}
    with tempfile.TemporaryDirectory(prefix="nums-backup-") as scratch:
        if engine.dialect.name == "sqlite":
            copy = Path(scratch) / DATABASE_FILE
            _sqlite_copy(settings, copy)
            summary["database"] = "sqlite"
            database = (DATABASE_FILE, copy.read_bytes())
        else:
            summary["database"] = engine.dialect.name
            database = (ROWS_FILE, json.dumps(_rows(engine), ensure_ascii=False).encode("utf-8"))
        with atomic_output(out) as stream, tarfile.open(fileobj=stream, mode="w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(summary, indent=2).encode("utf-8"))
            for name in (SETTINGS_FILE, SECRET_FILE):
                if (folder / name).is_file():
                    _add_bytes(
                        archive, name, (folder / name).read_bytes(), 0o600 if name == SECRET_FILE else 0o644
                    )
            _add_bytes(archive, database[0], database[1], 0o600)
            summary["workspace_files"] = _add_tree(archive, folder / WORKSPACE_FOLDER, WORKSPACE_FOLDER)
            summary["award_files"] = _add_tree(archive, folder / KEYS_FOLDER, KEYS_FOLDER, 0o600) + _add_tree(
                archive, folder / AWARDS_FOLDER, AWARDS_FOLDER
            )
    engine.dispose()
    return summary


def _sqlite_copy(settings: SiteSettings, copy: Path) -> None:
    source_path = settings.database_url.removeprefix("sqlite:///")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(copy)
    try:
        with target:
            source.backup(target)
    except sqlite3.Error as exc:
        raise NumsError(Problem(f"the database could not be copied: {exc}", file=source_path)) from None
    finally:
        source.close()
        target.close()


def _rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, all from one moment (one REPEATABLE READ transaction)."""
    dumped: dict[str, list[dict[str, Any]]] = {}
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        for table in tables.Base.metadata.sorted_tables:
            dumped[table.name] = [
                {
                    key: value.isoformat() if isinstance(value, datetime) else value
                    for key, value in row._mapping.items()
                }
                for row in connection.execute(select(table))
            ]
    return dumped


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, int(tables.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _add_tree(archive: tarfile.TarFile, workspace: Path, top: str, mode: int = 0o644) -> int:
    """Every regular file below ``workspace``, archived under ``top/``; the count."""
    count = 0
    if not workspace.is_dir():
        return count
    for root, folders, files in os.walk(workspace, followlinks=False):
        folders.sort()
        for name in sorted(files):
            path = Path(root) / name
            if name.endswith(".part") or not stat.S_ISREG(os.lstat(path).st_mode):
                continue  # a file being written, or a link: never followed out of the workspace
            relative = PurePosixPath(top, *path.relative_to(workspace).parts)
            try:
                data = path.read_bytes()
            except OSError:
                continue  # removed while the archive was written
            _add_bytes(archive, str(relative), data, mode)
            count += 1
    return count


# --- restore -------------------------------------------------------------------------------


def restore(archive_path: Path, folder: Path) -> dict[str, Any]:
    """Bring the archive back into ``folder``, which must be empty or not yet there."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise NumsError(
            Problem("is not an empty folder; a site is restored into an empty one only", file=str(folder))
        )
    try:
        archive = tarfile.open(archive_path, mode="r:gz")  # noqa: SIM115 - closed by the with below
        members = _checked_members(archive, archive_path)
        summary = json.loads(_read(archive, members[MANIFEST]))
    except (OSError, EOFError, zlib.error, tarfile.TarError, ValueError) as exc:
        raise NumsError(Problem(f"is not a site backup: {exc}", file=str(archive_path))) from None
    with archive:
        if summary.get("format") != FORMAT:
            raise NumsError(
                Problem(
                    f"is a backup of format {summary.get('format')!r}; this nums reads {FORMAT}",
                    file=str(archive_path),
                )
            )
        folder.mkdir(parents=True, exist_ok=True)
        for name, member in members.items():
            if name in (MANIFEST, ROWS_FILE):
                continue
            target = folder / name
            private = name in (SECRET_FILE, DATABASE_FILE) or PurePosixPath(name).parts[0] == KEYS_FOLDER
            if PurePosixPath(name).parts[0] == KEYS_FOLDER:
                (folder / KEYS_FOLDER).mkdir(mode=0o700, exist_ok=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            from nums.writing import create_new_file, write_bytes_atomically

            if private:  # owner only from the first byte: never a moment others could read it
                write_bytes_atomically(target, _read(archive, member), exclusive=True, mode=0o600)
            else:
                create_new_file(target, _read(archive, member))
        (folder / WORKSPACE_FOLDER).mkdir(exist_ok=True)
        settings = read_settings(folder)
        engine = tables.engine_for(settings.database_url)
        tables.migrate(engine)
        if ROWS_FILE in members:
            _load_rows(engine, json.loads(_read(archive, members[ROWS_FILE])))
        engine.dispose()
    return summary


def _checked_members(archive: tarfile.TarFile, archive_path: Path) -> dict[str, tarfile.TarInfo]:
    members: dict[str, tarfile.TarInfo] = {}
    for member in archive.getmembers():
        name = PurePosixPath(member.name)
        if (
            not member.isfile()
            or name.is_absolute()
            or ".." in name.parts
            or not name.parts
            or name.parts[0] not in _TOP
            or (name.parts[0] not in TREES and len(name.parts) > 1)
        ):
            raise NumsError(
                Problem(f"holds {member.name!r}, which is not part of a site backup", file=str(archive_path))
            )
        members[str(name)] = member
    if MANIFEST not in members or SETTINGS_FILE not in members:
        raise NumsError(
            Problem("is not a site backup (no backup.json or site.toml in it)", file=str(archive_path))
        )
    return members


def _read(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    stream = archive.extractfile(member)
    assert stream is not None
    return stream.read()


def _load_rows(engine: Engine, dumped: dict[str, list[dict[str, Any]]]) -> None:
    with engine.begin() as connection:
        if connection.execute(select(tables.Person.id).limit(1)).first() is not None:
            raise NumsError(
                Problem(
                    "the database already holds accounts; a backup is restored into an empty one",
                    field="[site] database_url",
                )
            )
        for table in tables.Base.metadata.sorted_tables:
            rows = [_typed(table, row) for row in dumped.get(table.name, [])]
            if rows:
                connection.execute(insert(table), rows)
            if engine.dialect.name == "postgresql" and "id" in table.c:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table.name}"
                    )
                )


def _typed(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    typed = dict(row)
    for column in table.c:
        if isinstance(column.type, tables.UTCDateTime) and isinstance(typed.get(column.name), str):
            typed[column.name] = datetime.fromisoformat(typed[column.name])
    return typed
