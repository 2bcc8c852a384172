"""Where a request's work runs: on the event loop when it is quick, in a thread when it may wait.

Starlette's habit is to hand every piece of blocking work to a thread (``run_in_threadpool``).
Under load that costs more than the work: each hand-over wakes a thread and then the event loop
again, each of them first waiting for the GIL that the other busy threads hold, so a page of a
few milliseconds of CPU took 50 to 250 ms inside a worker with forty threads taking turns
(``benchmarks/site_speed.py``, issue 22). Work that is only a few milliseconds of CPU, reads and
writes small local files and asks the database a short question (a session, a programme's page,
a save and its audit row) is done on the event loop instead: each worker then serves its
requests one after another, as fast as its core allows, which is what the GIL made of it anyway.

What may wait, or takes long, still goes to a thread, so that it never holds up the other
requests of its worker: anything that sends mail (an SMTP server can be slow or gone), lays out
a PDF (WeasyPrint: seconds), checks a password (Argon2 is slow on purpose), streams an upload,
or reads every programme of a workspace at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

Parameters = ParamSpec("Parameters")
Result = TypeVar("Result")


async def quick(
    work: Callable[Parameters, Result], *args: Parameters.args, **kwargs: Parameters.kwargs
) -> Result:
    """Do ``work`` now, on the event loop: for the quick work this module's docstring names."""
    return work(*args, **kwargs)


in_thread = run_in_threadpool
"""Do work in one of Starlette's threads: for what may wait or takes long."""
