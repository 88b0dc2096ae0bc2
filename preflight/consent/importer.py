"""Bulk import of opt-ins from CSV, streamed and written in chunks.

The file has a header row naming opt-in fields (`phone_number`, `scope`, `written`,
`method`, `captured_at`, `source`, `disclosure_text`, optional `ip`, `user_agent`,
`postal_code`, `evidence_uri`); `written` is `true`/`false` (empty means false).
Unknown or missing required columns reject the whole file (400).

- Rows are validated with the same rules as `POST /v1/consents`; a bad row is reported
  with its line number and reason and the rest go on. Line numbers are 1-based
  physical lines of the file (the header is line 1); a row with a quoted multi-line
  field is reported at the line where it starts; blank lines are skipped.
- Each row's `dedupe_key` is ``import:`` + SHA-256 of its normalised values, unique per
  workspace: re-importing a file (or the same row twice) adds nothing; such rows count
  as `duplicates`. Existing keys are read per chunk before inserting; a unique-key clash
  at insert can then only come from a concurrent import of the same rows: 409.
- Work goes in chunks (2,000 rows): one locked read of the chunk's states (IN-queries
  of 500), the rules of `preflight.consent.state` applied in file order, one bulk
  INSERT of the events, one bulk upsert (ON CONFLICT DO UPDATE) of the states.
- One audit event (`consent.import`) covers the whole import: counts and the SHA-256
  of the file. The events themselves are the per-row record.
- By default everything happens in the caller's transaction: the caller commits once
  (the HTTP import: all or nothing, bounded by the request size limit). A caller that
  passes `commit` (the CLI, for files of any size) gets it called after every chunk,
  each chunk with its own `consent.import_chunk` audit event in the same transaction,
  so the workspace's chain head is never held for more than one chunk: STOP replies
  arriving during a long import are recorded at once. An interrupted chunked import is
  resumed by running it again (rows already imported count as duplicates).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import BinaryIO, Callable

from sqlalchemy import insert, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..errors import Conflict, InvalidInput
from ..models import ConsentEvent, ContactState
from ..audit.chain import lock_head
from .ledger import STATE_CHUNK
from .sql import insert_ignore, upsert
from .state import Snapshot, apply_opt_in
from .validation import OPT_IN_FIELDS, REQUIRED_OPT_IN_FIELDS, validate_opt_in

CHUNK_ROWS = 2000
STATE_COLUMNS = ["marketing", "informational", "opted_out", "opted_out_at", "last_revoked_scopes",
                 "postal_code", "updated_at"]
KEY_FIELDS = sorted(OPT_IN_FIELDS)
_AT = KEY_FIELDS.index("captured_at")
_encode = json.JSONEncoder(ensure_ascii=False).encode
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)
MAX_FIELD_BYTES = 1024 * 1024
SNAPSHOT_COLUMNS = (ContactState.phone_number, ContactState.marketing, ContactState.informational,
                    ContactState.opted_out, ContactState.opted_out_at, ContactState.last_revoked_scopes,
                    ContactState.postal_code)


@dataclass
class ImportResult:
    """What an import did: counts, per-row errors, the file's SHA-256."""

    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[dict] = field(default_factory=list)
    errors_truncated: bool = False
    sha256: str = ""
    rows: int = 0

    def as_dict(self) -> dict:
        return {"imported": self.imported, "duplicates": self.duplicates, "rejected": self.rejected,
                "errors": self.errors, "errors_truncated": self.errors_truncated, "sha256": self.sha256,
                "rows": self.rows}


class HashingReader(io.RawIOBase):
    """A binary stream wrapper that hashes and counts every byte read through it."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        if not data:
            return 0
        n = len(data)
        buffer[:n] = data
        self.digest.update(data)
        self.bytes_read += n
        return n


def _parse_written(value: str):
    text = (value or "").strip().lower()
    if text in ("", "false"):
        return False
    if text == "true":
        return True
    raise InvalidInput("written must be true or false", details={"written": "must be true or false"})


def _dedupe_key(data: dict) -> str:
    """``import:`` + SHA-256 over the row's normalised values (the time as epoch microseconds)."""
    canon = [data[k] for k in KEY_FIELDS]
    canon[_AT] = (data["captured_at"] - EPOCH) // MICROSECOND
    return "import:" + hashlib.sha256(_encode(canon).encode()).hexdigest()


def _check_header(header: list[str] | None) -> list[str]:
    if not header:
        raise InvalidInput("the CSV file is empty; it needs a header row", details={"header": "missing"})
    names = [h.strip().lstrip("\ufeff") for h in header]
    details = {}
    unknown = [n for n in names if n not in OPT_IN_FIELDS]
    if unknown:
        details["header"] = "unknown column(s): " + ", ".join(unknown)
    missing = [n for n in REQUIRED_OPT_IN_FIELDS if n not in names]
    if missing:
        details["columns"] = "missing column(s): " + ", ".join(missing)
    if len(set(names)) != len(names):
        details["header"] = "duplicate column names"
    if details:
        raise InvalidInput("the CSV header does not name the opt-in fields", details=details)
    return names


class _Importer:
    """One import run: validates rows, writes chunks, keeps the counts."""

    def __init__(self, session: Session, workspace_id: str, now: datetime, actor: str, max_errors: int | None):
        self.session, self.workspace_id, self.now, self.actor = session, workspace_id, now, actor
        self.max_errors = max_errors
        self.result = ImportResult()
        self.chunks_written = 0

    def reject(self, line: int, exc: InvalidInput) -> None:
        self.result.rejected += 1
        if self.max_errors is not None and len(self.result.errors) >= self.max_errors:
            self.result.errors_truncated = True
            return
        details = exc.details or {"row": exc.message}
        self.result.errors.append({"line": line, "field": next(iter(details)),
                                   "reason": "; ".join(f"{k}: {v}" for k, v in details.items())})

    def row(self, line: int, names: list[str], cells: list[str]) -> dict | None:
        """The row's event values, or None after reporting why it is rejected."""
        if len(cells) != len(names):
            self.reject(line, InvalidInput("wrong number of fields", details={
                "row": f"has {len(cells)} fields, the header has {len(names)}"}))
            return None
        raw = dict(zip(names, cells))
        try:
            raw["written"] = _parse_written(raw.get("written", ""))
            data = validate_opt_in({k: v for k, v in raw.items() if v != ""}, self.now)
        except InvalidInput as exc:
            self.reject(line, exc)
            return None
        return {"workspace_id": self.workspace_id, "phone_number": data["phone_number"], "kind": "opt_in",
                "scope": data["scope"], "scopes": [], "written": data["written"], "method": data["method"],
                "channel": None, "occurred_at": data["captured_at"], "recorded_at": self.now,
                "source": data["source"], "disclosure_text": data["disclosure_text"], "ip": data["ip"],
                "user_agent": data["user_agent"], "postal_code": data["postal_code"],
                "evidence_uri": data["evidence_uri"], "text": None, "actor": self.actor,
                "dedupe_key": _dedupe_key(data)}

    def refresh_statistics(self) -> None:
        """PostgreSQL: ANALYZE the ledger tables after chunks 1, 2, 4, 8, ...

        Rows this transaction inserted are invisible to the planner's statistics; without
        this, a first large import into an empty (or new-workspace) table plans the
        per-chunk lookups as scans of the whole workspace and slows down quadratically.
        ANALYZE counts the transaction's own rows and is rolled back with it.
        """
        n = self.chunks_written
        if n and n & (n - 1) == 0 and self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(sql_text("ANALYZE consent_events, contact_states"))

    def _existing_keys(self, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(keys), STATE_CHUNK):
            found.update(self.session.scalars(select(ConsentEvent.dedupe_key).where(
                ConsentEvent.workspace_id == self.workspace_id,
                ConsentEvent.dedupe_key.in_(keys[start:start + STATE_CHUNK]))))
        return found

    def _locked_states(self, numbers: list[str]) -> dict[str, Snapshot]:
        """Snapshots of the numbers' states, locked against concurrent writers.

        On PostgreSQL missing rows are first created empty so that they can be locked
        too (a concurrent STOP then waits instead of being overwritten); SQLite
        serialises writers with BEGIN IMMEDIATE.
        """
        s = self.session
        if s.get_bind().dialect.name == "postgresql":
            empty = Snapshot().values()
            s.execute(insert_ignore(s, ContactState.__table__, ["workspace_id", "phone_number"]),
                      [{"workspace_id": self.workspace_id, "phone_number": n, "updated_at": self.now, **empty}
                       for n in numbers])
        snaps = {n: Snapshot() for n in numbers}
        for start in range(0, len(numbers), STATE_CHUNK):
            part = numbers[start:start + STATE_CHUNK]
            stmt = (select(*SNAPSHOT_COLUMNS)
                    .where(ContactState.workspace_id == self.workspace_id, ContactState.phone_number.in_(part))
                    .order_by(ContactState.phone_number).with_for_update())
            for state in s.execute(stmt):
                snaps[state.phone_number] = Snapshot.of(state)
        return snaps

    def flush(self, chunk: list[dict]) -> None:
        """Write one chunk: skip rows already in the ledger, fold states, bulk insert and upsert."""
        if not chunk:
            return
        first: dict[str, dict] = {}
        for v in chunk:
            first.setdefault(v["dedupe_key"], v)
        unique = list(first.values())
        existing = self._existing_keys([v["dedupe_key"] for v in unique])
        fresh = [v for v in unique if v["dedupe_key"] not in existing]
        self.result.duplicates += len(chunk) - len(fresh)
        if not fresh:
            return
        snaps = self._locked_states(sorted({v["phone_number"] for v in fresh}))
        for v in fresh:
            granted = apply_opt_in(snaps[v["phone_number"]], scope=v["scope"], written=v["written"],
                                   disclosure_text=v["disclosure_text"], captured_at=v["occurred_at"],
                                   postal_code=v["postal_code"])
            v["scopes"] = [v["scope"]] if granted else []
        s = self.session
        try:
            s.execute(insert(ConsentEvent.__table__), fresh)
        except IntegrityError:
            # Only a concurrent import of the same rows gets here (they were pre-filtered).
            raise Conflict("another import is writing the same rows; retry when it has finished",
                           code="import_in_progress") from None
        self.result.imported += len(fresh)
        self.chunks_written += 1
        s.execute(upsert(s, ContactState.__table__, ["workspace_id", "phone_number"], STATE_COLUMNS),
                  [{"workspace_id": self.workspace_id, "phone_number": n, "updated_at": self.now, **snap.values()}
                   for n, snap in snaps.items()])


def import_csv(session: Session, workspace_id: str, stream: BinaryIO, now: datetime, actor: str,
               progress: Callable[[int], None] | None = None, chunk_rows: int = CHUNK_ROWS,
               max_errors: int | None = None, commit: Callable[[], None] | None = None) -> ImportResult:
    """Import opt-ins from a CSV byte stream (UTF-8, optional BOM) into the ledger.

    `progress(bytes_read)` is called after every chunk. `max_errors` caps the listed
    errors (counts stay exact). Raises InvalidInput for a bad header or encoding and
    Conflict when a concurrent import writes the same rows. The caller commits.
    """
    csv.field_size_limit(MAX_FIELD_BYTES)
    reader_stream = HashingReader(stream)
    text = io.TextIOWrapper(io.BufferedReader(reader_stream, buffer_size=256 * 1024), encoding="utf-8-sig",
                            newline="")
    imp = _Importer(session, workspace_id, now, actor, max_errors)
    lock_head(session, workspace_id)
    before = {"imported": 0, "duplicates": 0, "rejected": 0, "first_line": 2}

    def chunk_committed(last_line: int) -> None:
        # Record what this chunk changed with it, commit, and take the head again.
        r = imp.result
        audit.append(session, workspace_id=workspace_id, actor=actor, action="consent.import_chunk",
                     subject=None, data={"lines": [before["first_line"], last_line],
                                         "imported": r.imported - before["imported"],
                                         "duplicates": r.duplicates - before["duplicates"],
                                         "rejected": r.rejected - before["rejected"]}, now=now)
        commit()
        before.update(imported=r.imported, duplicates=r.duplicates, rejected=r.rejected,
                      first_line=last_line + 1)
        lock_head(session, workspace_id)

    try:
        reader = csv.reader(text, strict=True)
        names = _check_header(next(reader, None))
        chunk: list[dict] = []
        line = reader.line_num + 1
        for cells in reader:
            if not any(c.strip() for c in cells):
                line = reader.line_num + 1
                continue
            imp.result.rows += 1
            values = imp.row(line, names, cells)
            line = reader.line_num + 1
            if values is not None:
                chunk.append(values)
            if len(chunk) >= chunk_rows:
                imp.flush(chunk)
                imp.refresh_statistics()
                chunk = []
                if commit is not None:
                    chunk_committed(line - 1)
                if progress:
                    progress(reader_stream.bytes_read)
        imp.flush(chunk)
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", details={"body": "not UTF-8"}) from None
    except csv.Error as exc:
        raise InvalidInput(f"the CSV is malformed near line {reader.line_num}: {exc}",
                           details={"body": f"malformed CSV at line {reader.line_num}"}) from None
    if progress:
        progress(reader_stream.bytes_read)
    result = imp.result
    result.sha256 = reader_stream.digest.hexdigest()
    audit.append(session, workspace_id=workspace_id, actor=actor, action="consent.import", subject=None,
                 data={"sha256": result.sha256, "bytes": reader_stream.bytes_read, "rows": result.rows,
                       "imported": result.imported, "duplicates": result.duplicates,
                       "rejected": result.rejected}, now=now)
    return result
