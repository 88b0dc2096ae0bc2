"""CPU seconds per process group, from /proc (Linux): what each part of a bench run
(the client, the sandbox, gunicorn, PostgreSQL) spent, read before and after a run."""
from __future__ import annotations

import os

_TICK = os.sysconf("SC_CLK_TCK")


def _stats():
    """(pid, ppid, comm, utime + stime in seconds) of every process."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                head, _, rest = fh.read().rpartition(")")
        except OSError:
            continue
        fields = rest.split()
        yield int(entry), int(fields[1]), head.partition("(")[2], (int(fields[11]) + int(fields[12])) / _TICK


def cpu_seconds(pid: int) -> float:
    """CPU of one process and its live children (gunicorn's master and workers)."""
    return sum(cpu for p, ppid, _comm, cpu in _stats() if pid in (p, ppid))


def cpu_by_command(name: str) -> float:
    """CPU of every process whose command name is `name` (e.g. all postgres backends)."""
    return sum(cpu for _p, _ppid, comm, cpu in _stats() if comm == name)


def own_cpu() -> float:
    """This process (all its threads) plus its children that have ended (e.g. wrk)."""
    with open("/proc/self/stat") as fh:
        fields = fh.read().rpartition(")")[2].split()
    return sum(int(f) for f in fields[11:15]) / _TICK
