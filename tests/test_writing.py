"""kg.writing: files written all or nothing, links and pipes written through."""

import os
import subprocess
import sys
import threading

import pytest

from kg.errors import InputError
from kg.writing import write_all


def test_every_file_or_none(tmp_path):
    kept = tmp_path / "kept.ttl"
    kept.write_bytes(b"old")
    blocked = tmp_path / "blocked"
    blocked.mkdir()  # a folder where a file should go: its rename fails
    with pytest.raises(InputError, match=f"^{blocked}: cannot write"):
        write_all({kept: b"new", tmp_path / "new.ttl": b"new", blocked: b"new"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocked", "kept.ttl"]
    assert kept.read_bytes() == b"old"


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o464])
def test_a_read_only_file_is_not_replaced(tmp_path, mode):
    """A rename replaced it (the folder is writable), as no editor would without asking;
    root may write it, but not when its mode says its owner may not."""
    other = tmp_path / "other.ttl"
    other.write_bytes(b"old")
    locked = tmp_path / "locked.ttl"
    locked.write_bytes(b"old")
    locked.chmod(mode)
    with pytest.raises(InputError, match=f"^{locked}: is read-only \\(mode 0{mode:o}\\): "
                                         "nothing written; make it writable"):
        write_all({other: b"new", locked: b"new", tmp_path / "new.ttl": b"new"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked.ttl", "other.ttl"]
    assert other.read_bytes() == locked.read_bytes() == b"old"
    locked.chmod(0o644)
    write_all({locked: b"new"})
    assert locked.read_bytes() == b"new"


def test_a_link_is_written_through_not_replaced(tmp_path):
    """-o link.ttl once replaced the link by a regular file."""
    real = tmp_path / "real.ttl"
    real.write_bytes(b"old")
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    write_all({link: b"new"})
    assert link.is_symlink() and real.read_bytes() == b"new"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_written_as_a_stream(tmp_path):
    """A pipe (or a device: /dev/stdout, /dev/full) was read whole to keep its old
    content, which never ends, then replaced by a regular file."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    write_all({pipe: b"streamed"})
    reader.join(timeout=30)
    assert received == [b"streamed"] and not pipe.is_file()


WRITE_TO_STDOUT = ("from pathlib import Path; from kg.writing import write_all; "
                   "write_all({Path('/dev/stdout'): b'new'})")


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="needs /dev/stdout")
def test_dev_stdout_piped_or_appended(tmp_path):
    """/dev/stdout resolved to /proc/PID/fd/pipe:[N], which is no file: a pipe got an error
    and nothing, and a file opened with `>>` was replaced instead of appended to."""
    piped = subprocess.run([sys.executable, "-c", WRITE_TO_STDOUT], capture_output=True)
    assert (piped.returncode, piped.stdout) == (0, b"new")
    appended = tmp_path / "out.nt"
    appended.write_bytes(b"old ")
    with appended.open("ab") as stdout:
        subprocess.run([sys.executable, "-c", WRITE_TO_STDOUT], stdout=stdout, check=True)
    assert appended.read_bytes() == b"old new"
