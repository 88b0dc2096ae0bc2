"""Dry runs: one message to many recipients, decided without sending or changing anything.

`DryRun` loads the account facts and analyses the message once, then decides
recipients chunk by chunk: each chunk costs one consent-state read (chunked IN
queries) and two history queries, never a query per recipient, and shared rules are
answered once per campaign. The HTTP dry run (up to 10,000 recipients) and the CLI's
streamed CSV run (any size) both use it; both call the one decision function.

Each recipient is decided on its own, as if it were the only send: credits and the
daily cap are judged against the current balance and today's total, not against the
other recipients of the same run.
"""
from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import lru_cache
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ..errors import InvalidInput
from ..instants import parse_aware
from .context import NO_CONSENT, GateContext, MessageFacts, RecipientFacts
from .decide import Decision, decide, iso
from .prepare import HISTORY_CHUNK, account_facts, assemble, recipient_rows, workspace_snapshot
from .readiness import for_dry_run


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse_send_at(value, field_name: str = "send_at") -> datetime:
    """An ISO-8601 instant WITH a UTC offset (400 naming the field otherwise)."""
    return parse_aware(value, field_name)


class Summary:
    """Counts over a dry run. Many recipients share one decision object (see
    `DryRun.decide_chunk`), so decisions are counted by object and expanded at the end."""

    def __init__(self):
        self._counts: Counter = Counter()
        self._decisions: dict[int, Decision] = {}

    def add(self, decision: Decision) -> None:
        key = id(decision)
        if key not in self._decisions:
            self._decisions[key] = decision
        self._counts[key] += 1

    def as_dict(self) -> dict:
        total = allowed = 0
        by_reason: Counter = Counter()
        for key, count in self._counts.items():
            decision = self._decisions[key]
            total += count
            if decision.allowed:
                allowed += count
            for code in decision.codes:
                by_reason[code] += count
        return {"total": total, "allowed": allowed, "blocked": total - allowed,
                "by_reason": dict(sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0])))}


class DryRun:
    """One message, one send instant, many recipients (read-only)."""

    def __init__(self, session: Session, rt, workspace_id: str, body: str, category: str, send_at: datetime):
        self.session = session
        self.workspace_id = workspace_id
        self.send_at = send_at
        snapshot = workspace_snapshot(session, workspace_id, send_at)
        self.readiness = for_dry_run(session, rt, workspace_id, rt.now(), snapshot)
        self.account = account_facts(session, workspace_id, send_at, readiness=self.readiness.state,
                                     check=self.readiness.check, chain=self.readiness.chain, mode="dry_run",
                                     snapshot=snapshot)
        self.message = MessageFacts.analyse(body, category)
        self.summary = Summary()
        self._shared: dict = {}
        self._memo: dict = {}

    def decide_chunk(self, numbers: list[str]) -> list[tuple[str, RecipientFacts, Decision]]:
        """Decide one chunk of numbers, in order: (number, facts, decision) each.

        Recipients without recent sends whose facts are alike (same validity, places,
        consent and first-marketing flag) get the same decision, so it is made once per
        kind of recipient and reused; numbers only matter to the answer through those
        facts (an invalid one is named in its reason, so it is always decided alone)."""
        rows = recipient_rows(self.session, self.workspace_id, numbers, self.send_at, self.message.category)
        consents, recent, earlier = rows.consents, rows.recent, rows.earlier
        account, message, send_at, shared, memo = self.account, self.message, self.send_at, self._shared, self._memo
        add = self.summary.add
        out = []
        for number, info in zip(numbers, rows.infos):
            e164 = info.e164
            consent = consents.get(e164, NO_CONSENT)
            times = recent.get(e164)
            first = e164 not in earlier
            if times or not info.valid:
                facts = assemble(info, consent, times, first)
                decision = decide(GateContext(account, message, facts, send_at), shared)
            else:
                key = (info.is_us, info.region, info.states, info.time_zones, info.location_uncertain, consent, first)
                hit = memo.get(key)
                if hit is None:
                    facts = assemble(info, consent, None, first)
                    hit = memo[key] = (facts, decide(GateContext(account, message, facts, send_at), shared))
                facts, decision = hit
            add(decision)
            out.append((number, facts, decision))
        return out

    def decide_all(self, numbers: Iterable[str], chunk: int = HISTORY_CHUNK
                   ) -> Iterator[tuple[str, RecipientFacts, Decision]]:
        """Decide any number of recipients, chunk by chunk, in order."""
        batch: list[str] = []
        for number in numbers:
            batch.append(number)
            if len(batch) >= chunk:
                yield from self.decide_batch(batch)
                batch = []
        if batch:
            yield from self.decide_batch(batch)

    def decide_batch(self, batch: list[str]) -> list[tuple[str, RecipientFacts, Decision]]:
        """`decide_chunk`, then end the read transaction and drop loaded rows."""
        results = self.decide_chunk(batch)
        # End the read transaction and drop loaded rows: memory stays flat, writers are not held up.
        self.session.rollback()
        self.session.expunge_all()
        return results

    def result_item(self, number: str, recipient: RecipientFacts, decision: Decision) -> dict:
        """One `results` entry of the HTTP dry run."""
        info = recipient.info
        zones = list(dict.fromkeys(p.tz for p in recipient.places)) or list(info.time_zones)
        local = {tz: self.send_at.astimezone(_zone(tz)).isoformat() for tz in zones}
        states = sorted({p.state for p in recipient.places if p.state}) or list(info.states)
        return {"to": number, "decision": decision.decision, "reasons": decision.reasons,
                "warnings": decision.warnings, "next_allowed_at": iso(decision.next_allowed_at),
                "recipient": {"region": info.region, "states": states, "time_zones": zones,
                              "local_time": next(iter(local.values()), None), "local_times": local}}


def dry_run(session: Session, rt, workspace_id: str, recipients: list, body: str, category: str,
            send_at: datetime) -> dict:
    """The HTTP dry run: {summary, results} with results in request order."""
    run = DryRun(session, rt, workspace_id, body, category, send_at)
    numbers = [r.strip() if isinstance(r, str) else str(r) for r in recipients]
    results = [run.result_item(num, rec, dec) for num, rec, dec in run.decide_all(numbers)]
    return {"summary": run.summary.as_dict(), "results": results}


def count_rows(path: str) -> int:
    """Data rows in a CSV file (newlines minus the header), for the progress bar."""
    lines, last = 0, b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def run_csv(run: DryRun, source: TextIO, target: TextIO, progress=None, chunk: int = HISTORY_CHUNK) -> Summary:
    """Stream a recipients CSV (header with `phone_number`) through `run` into a results CSV.

    Output columns: phone_number, decision, reasons (codes joined by ';'),
    next_allowed_at, then the input's other columns in input order; one row per
    input row, in input order. `progress(n)` is called after each chunk."""
    reader = csv.reader(source)
    header = next(reader, None)
    if header is None:
        raise InvalidInput("the recipients file is empty", details={"recipients": "no header row"})
    header = [h.strip().lstrip("\ufeff") for h in header]
    if "phone_number" not in header:
        raise InvalidInput("the recipients file needs a phone_number column",
                           details={"recipients": "no phone_number column"})
    phone_at = header.index("phone_number")
    others = [i for i in range(len(header)) if i != phone_at]
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(["phone_number", "decision", "reasons", "next_allowed_at"] + [header[i] for i in others])
    batch: list[list[str]] = []

    def flush():
        numbers = [row[phone_at].strip() if len(row) > phone_at else "" for row in batch]
        decided = run.decide_batch(numbers)
        write = writer.writerow
        columns: dict[int, list[str]] = {}  # per decision object, alive for this chunk
        for row, (number, _facts, decision) in zip(batch, decided):
            cols = columns.get(id(decision))
            if cols is None:
                nxt = decision.next_allowed_at
                cols = columns[id(decision)] = [decision.decision, ";".join(decision.codes),
                                                iso(nxt) if nxt is not None else ""]
            write([number, *cols, *[row[i] if i < len(row) else "" for i in others]])
        if progress is not None:
            progress(len(batch))

    for row in reader:
        if not row:
            continue
        batch.append(row)
        if len(batch) >= chunk:
            flush()
            batch = []
    if batch:
        flush()
    return run.summary
