"""Worker processes: a pool for `kg serve`, so that a query past its time limit is
stopped, and a forked copy for validation, so that SHACL and lint run side by side.

Oxigraph cannot cancel a query (its Python API has no timeout) and a thread cannot be
killed: a timed-out query left in a thread kept a CPU busy until it ended, and a few
such queries kept every CPU busy. A process can be killed. Each worker opens the
compiled graph itself (read-only) and answers one request at a time; a request waits for
a free worker within its own time limit. A killed worker is replaced in the background,
and joins the pool once it has opened the graph, so its start-up (about 0.3 s) never
counts against a query's time.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import traceback
import warnings
import weakref

from kg.errors import InputError, KGError
from kg.safety import QueryTimeout

READY = "ready"


class WorkerDied(Exception):
    """A worker ended without answering (killed from outside, out of memory)."""


class WorkerPool:
    """`size` processes, each running `handle(setup(*args), request)` for the requests
    given to `run`. `setup` and `handle` are module-level functions (they are pickled)."""

    def __init__(self, setup, handle, args: tuple, size: int):
        # spawn, not fork: the server has threads, and Oxigraph's store its own, which a
        # worker would use (a copy from `forked` never does)
        self.context = multiprocessing.get_context("spawn")
        self.setup, self.handle, self.args, self.size = setup, handle, args, size
        self.idle: queue.Queue = queue.Queue()
        self.workers: list = []  # every live worker: idle, busy or starting
        self.closed = False
        self.lock = threading.Lock()
        starting = [self.start() for _ in range(size)]  # they start side by side
        for worker in starting:
            problem = self.wait_ready(worker)
            if problem:
                self.close()
                raise InputError(f"a query process cannot open the graph: {problem}")
            self.idle.put(worker)

    def start(self):
        ours, theirs = self.context.Pipe()
        process = self.context.Process(target=work, name="kg-query",
                                       args=(theirs, self.setup, self.handle, self.args),
                                       daemon=True)
        process.start()
        theirs.close()
        worker = (process, ours)
        self.workers.append(worker)
        return worker

    def wait_ready(self, worker) -> str | None:
        """None once `worker` has set up; else why it could not."""
        try:
            message = worker[1].recv()
        except (EOFError, OSError):
            message = "it ended while starting"
        if message == READY:
            return None
        self.stop(worker)
        return message

    def run(self, request, timeout: float | None):
        """The worker's answer to `request`; QueryTimeout if no worker is free, or none
        answers, within `timeout` seconds (None or 0: no limit)."""
        deadline = time.monotonic() + timeout if timeout else None
        try:
            worker = self.idle.get(timeout=timeout or None)
        except queue.Empty:
            raise QueryTimeout(f"the server is busy: its {self.size} query processes stayed "
                               f"busy for {timeout:g} s; try again later") from None
        connection = worker[1]
        try:
            connection.send(request)
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if connection.poll(left):
                reply = connection.recv()
                self.idle.put(worker)
                return reply
        except (EOFError, OSError):
            self.replace(worker)
            raise WorkerDied("the query's process ended before answering") from None
        self.replace(worker)  # kills the query with it
        raise QueryTimeout(f"query timed out after {timeout:g} s; narrow it or raise --timeout")

    def replace(self, worker) -> None:
        """Stop `worker`; a new one joins the pool once it is ready."""
        self.stop(worker)

        def revive():
            if self.closed:
                return
            new = self.start()
            if self.wait_ready(new) is None:
                self.idle.put(new)
            if self.closed:  # closed while it started
                self.stop(new)

        threading.Thread(target=revive, name="kg-query-start", daemon=True).start()

    def stop(self, worker) -> None:
        with self.lock:  # the server's close and a request's replace may race
            if worker not in self.workers:
                return
            self.workers.remove(worker)
        process, connection = worker
        process.kill()
        process.join()
        connection.close()

    def close(self) -> None:
        self.closed = True
        for worker in list(self.workers):
            self.stop(worker)


def work(connection, setup, handle, args) -> None:
    """A worker's life: set up, say so, then answer requests until the pool closes the
    pipe or kills the process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which kills us
    try:
        state = setup(*args)
    except Exception as exc:  # noqa: BLE001 - reported by the pool, in one line
        connection.send(f"{type(exc).__name__}: {exc}")
        return
    connection.send(READY)
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        try:
            connection.send(handle(state, request))
        except OSError:  # the server is gone
            return


# Linux only: macOS's system libraries may start threads that a forked copy cannot use
# (Python's default there is spawn), and Windows has no fork.
FORKS = sys.platform.startswith("linux")


def can_fork() -> bool:
    """Whether `forked` runs its function in a copy: on Linux, but not in a daemonic
    process (a worker of multiprocessing.Pool), which may not start processes."""
    return FORKS and not multiprocessing.current_process().daemon


@contextlib.contextmanager
def forked(function):
    """Run `function()` in a forked copy of this process while the `with` block runs
    here; yields a function that waits for its return value (or raises its exception).

    The copy shares this process's memory until either writes to a page of it, so both
    read one large structure (validation's rdflib graph) without loading it again.
    Where fork is unavailable or fails (no memory left for it), `function` runs in this
    process when its result is asked for. The copy is killed if the block ends first.
    """
    started = started_copy(function) if can_fork() else None
    if started is None:
        yield functools.cache(function)
        return
    process, receiver = started

    @functools.cache
    def result():
        try:
            succeeded, value, trace = receiver.recv()
        except (EOFError, OSError):
            process.join()
            code = process.exitcode
            ending = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            raise KGError(f"a worker process ended without its result ({ending}; out "
                          f"of memory?)") from None
        except Exception as exc:  # noqa: BLE001 - an exception that cannot be unpickled
            raise KGError(f"a worker process's result cannot be read "
                          f"({type(exc).__name__}: {exc})") from None
        if not succeeded:
            raise value from (WorkerTraceback(trace) if trace else None)
        return value
    try:
        yield result
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()


class WorkerTraceback(Exception):
    """The traceback of an exception raised in a forked copy, shown as its cause: the
    exception alone, raised again here, would not say where it came from."""

    def __str__(self) -> str:
        return "\n" + self.args[0]


def started_copy(function):
    """(the process, the end of a pipe its outcome comes through) of a forked copy that
    runs `function`; None if fork fails."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=send_outcome, args=(sender, function, os.getpid()),
                              name="kg-fork")
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns of forking while Oxigraph's store runs threads of its
            # own; the copy never touches the store (nor does it start threads), and a
            # caller's `-W error` would have made the warning a failure
            warnings.filterwarnings("ignore", r".*multi-threaded, use of fork\(\)",
                                    DeprecationWarning)
            process.start()
    except OSError:
        receiver.close()
        return None
    finally:
        sender.close()
    return process, receiver


def send_outcome(sender, function, parent: int) -> None:
    """A forked copy's life: send (True, what `function()` returns) or (False, what it
    raised, its traceback unless it is a KGError), then end at once. Ending skips
    freeing what the copy holds (a million-triple graph took seconds) and flushing the
    output buffers it inherited (printed again)."""
    dies_with(parent)
    try:
        outcome = (True, function(), None)
    except BaseException as exc:  # noqa: BLE001 - raised again where the result is asked
        outcome = (False, exc, None if isinstance(exc, KGError) else traceback.format_exc())
    try:
        sender.send(outcome)
    except Exception as exc:  # noqa: BLE001 - a result that cannot be pickled
        sender.send((False, KGError(f"a worker process cannot send its result ({exc})"), None))
    finally:
        os._exit(0)


PR_SET_PDEATHSIG = 1  # from linux/prctl.h


def dies_with(parent: int) -> None:
    """Have Linux kill this process when its parent ends: a copy whose parent was killed
    (by the out-of-memory killer, an IDE's stop button) worked on for minutes."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the call
        os._exit(0)


def shared_queue(items: list):
    """A function that gives the next of `items` that neither this process nor a copy
    forked after this call (see `forked`) has taken yet, else None: work shared out.

    The items' numbers wait in a pipe, one byte each, and reading one byte takes it
    from every process at once; no lock or shared memory (/dev/shm) is needed.
    """
    if len(items) > 256:
        raise ValueError("a shared queue holds at most 256 items")
    reader, writer = os.pipe()
    os.write(writer, bytes(range(len(items))))  # POSIX pipes hold 512 bytes at least
    os.close(writer)  # so that an empty pipe reads as its end, not as a wait

    def next_item():
        taken = os.read(reader, 1)
        return items[taken[0]] if taken else None
    weakref.finalize(next_item, os.close, reader)
    return next_item
