"""kg.workers: the query processes of kg serve, and the forked copy validation runs
SHACL in, with work that sleeps, ends or fails."""

import multiprocessing
import os
import threading
import time

import pytest

from kg import workers
from kg.errors import InputError, KGError
from kg.safety import QueryTimeout
from kg.workers import WorkerDied, WorkerPool, WorkerTraceback, can_fork, forked, shared_queue


# Run in the worker processes, so module-level (spawn pickles them by name).
def ready() -> str:
    return "state"


def cannot_start() -> str:
    raise OSError("the store is gone")


def do(state: str, request: tuple):
    action, value = request
    if action == "sleep":
        time.sleep(value)
    elif action == "exit":
        os._exit(value)
    return state, value


@pytest.fixture
def pool():
    workers = WorkerPool(ready, do, (), size=1)
    yield workers
    workers.close()


def test_a_request_is_answered_by_a_worker(pool):
    assert pool.run(("echo", 1), timeout=30) == ("state", 1)
    assert pool.run(("echo", 2), timeout=None) == ("state", 2)  # no limit


def test_work_past_its_time_is_killed_and_its_worker_replaced(pool):
    (process, _), = pool.workers
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"^query timed out after 0\.5 s"):
        pool.run(("sleep", 60), timeout=0.5)
    assert time.monotonic() - started < 10
    process.join(10)
    assert not process.is_alive()
    assert pool.run(("echo", 3), timeout=30) == ("state", 3)  # once the new one is ready
    (new, _), = pool.workers
    assert new.pid != process.pid


def test_a_request_waits_for_a_free_worker_within_its_own_time(pool):
    busy = threading.Thread(target=pool.run, args=(("sleep", 3), 30))
    busy.start()
    time.sleep(0.5)  # the only worker is sleeping
    with pytest.raises(QueryTimeout, match=r"^the server is busy: its 1 query processes"):
        pool.run(("echo", 4), timeout=0.2)
    busy.join()
    assert pool.run(("echo", 5), timeout=30) == ("state", 5)


def test_a_worker_that_ends_is_replaced(pool):
    with pytest.raises(WorkerDied):
        pool.run(("exit", 3), timeout=30)
    assert pool.run(("echo", 6), timeout=30) == ("state", 6)


def test_a_worker_that_cannot_start_is_one_line_and_leaves_no_process():
    with pytest.raises(InputError, match=r"^a query process cannot open the graph: "
                                         r"OSError: the store is gone$"):
        WorkerPool(cannot_start, do, (), size=2)
    assert not [p for p in multiprocessing.active_children() if p.name == "kg-query"]


def test_a_forked_copy_reads_what_this_process_holds_and_sends_its_result():
    held = list(range(100_000))  # not sent: the copy has it already
    with forked(lambda: (os.getpid(), sum(held))) as result:
        pid, total = result()
    assert pid != os.getpid() and total == sum(held)


def test_what_a_forked_copy_raises_is_raised_where_its_result_is_asked():
    def fails():
        raise InputError("shapes.ttl: pyshacl cannot run these shapes")

    with forked(fails) as result:
        with pytest.raises(InputError, match=r"^shapes\.ttl: pyshacl cannot run these shapes$"):
            result()


def test_a_forked_copys_exception_has_its_traceback_as_its_cause():
    def divides():
        return 1 / 0

    with forked(divides) as result:
        with pytest.raises(ZeroDivisionError) as raised:
            result()
    assert isinstance(raised.value.__cause__, WorkerTraceback)
    assert "in divides" in str(raised.value.__cause__)


def test_a_forked_copys_result_may_be_asked_again():
    with forked(lambda: [os.getpid()]) as result:
        assert result() == result()


@pytest.mark.parametrize("end, told", [(lambda: os._exit(3), "exit code 3"),
                                       (lambda: os.kill(os.getpid(), 9), "killed by signal 9")])
def test_a_forked_copy_that_ends_without_a_result_is_one_line(end, told):
    with forked(end) as result:
        with pytest.raises(KGError, match=rf"^a worker process ended without its result "
                                          rf"\({told}; out of memory\?\)$"):
            result()


def test_a_copy_dies_with_the_process_that_forked_it():
    reader, writer = os.pipe()

    def forks_then_dies():
        with forked(lambda: time.sleep(60)):
            copy, = [p for p in multiprocessing.active_children() if p.name == "kg-fork"]
            os.write(writer, str(copy.pid).encode())
            os._exit(0)  # no `with` cleanup: only Linux can end the copy now

    with forked(forks_then_dies) as result:
        pid = int(os.read(reader, 20))
        with pytest.raises(KGError):
            result()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.05)
    assert not alive(pid)


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie does not: it waits only to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_daemonic_process_does_not_fork():
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    daemon = context.Process(target=lambda: sender.send(can_fork()), daemon=True)
    daemon.start()
    assert receiver.recv() is False and can_fork()
    daemon.join()


def test_a_result_that_cannot_be_sent_is_one_line():
    with forked(lambda: threading.Lock()) as result:
        with pytest.raises(KGError, match=r"^a worker process cannot send its result "):
            result()


def test_a_forked_copy_is_killed_when_the_block_ends_before_its_result():
    started = time.monotonic()
    with forked(lambda: time.sleep(60)):
        copies = [p for p in multiprocessing.active_children() if p.name == "kg-fork"]
    assert time.monotonic() - started < 10
    assert len(copies) == 1 and not copies[0].is_alive()


def test_without_fork_the_function_runs_here_once_when_its_result_is_asked(monkeypatch):
    monkeypatch.setattr(workers, "FORKS", False)
    calls = []
    with forked(lambda: calls.append(os.getpid()) or len(calls)) as result:
        assert calls == []
        assert result() == 1 and result() == 1
    assert calls == [os.getpid()]


@pytest.mark.parametrize("forks", [True, False])
def test_a_shared_queue_gives_each_item_once_to_this_process_or_its_copy(monkeypatch, forks):
    monkeypatch.setattr(workers, "FORKS", forks)
    next_item = shared_queue(list(range(250)))

    def take_all() -> list:
        taken = []
        while (item := next_item()) is not None:
            taken.append(item)
            time.sleep(0.002)  # so that both take some
        return taken

    with forked(take_all) as theirs:
        ours = take_all()
        their_items = theirs()
    assert sorted(ours + their_items) == list(range(250))
    assert (their_items != []) == forks and ours != []


def test_a_shared_queue_of_too_many_items_is_refused():
    with pytest.raises(ValueError, match="at most 256 items"):
        shared_queue(list(range(257)))
