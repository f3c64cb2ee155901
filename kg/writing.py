"""Writing files all or nothing (`kg add`, `kg fmt`, `kg export -o`), and the files a
cache keeps (`keep_file`).

Each new content goes first to a temporary file beside its target, synced; only when all
are written are they renamed over their targets. If a rename fails (a read-only folder),
the files already renamed get their old content back and new ones are removed, so an
error leaves every file as it was. A file without write permission is not replaced,
though a rename could replace it: its mode says to leave it as it is.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from kg.errors import InputError
from kg.output import write_fully

# Not *.ttl, so a temporary file left by a killed run is never read as data.
TEMP_SUFFIX = ".kg-tmp"
# A temporary file this old, beside the files a cache keeps, was left by a killed process.
STALE_TEMPORARY_SECONDS = 3600


def write_all(contents: dict[Path, bytes]) -> None:
    """Replace (or create) every file of `contents` by its bytes, or none of them.

    A symbolic link's target is replaced, not the link. A target that is not a regular
    file (a device, a named pipe) is written as a stream instead: there is nothing to
    rename over it, or to restore. So is the process's own standard output or error
    (/dev/stdout), written through its descriptor: `>>` appends, `|` pipes.
    """
    real = {path: resolved(path) for path in contents}  # errors name the path as given
    streams = {path: target for path in contents
               if (target := stream_target(path)) is not None}
    for path in contents:
        if path not in streams:
            refuse_read_only(path, real[path])
    staged: dict[Path, str] = {}
    replaced: dict[Path, bytes | None] = {}  # each renamed file's old content; None: new
    try:
        for path in contents:
            if path not in streams:
                staged[path] = stage(real[path], contents[path])
        for path, target in streams.items():
            with open_stream(target) as stream:
                write_fully(stream, contents[path])
        for path, temporary in staged.items():
            old = real[path].read_bytes() if real[path].exists() else None
            os.replace(temporary, real[path])
            replaced[real[path]] = old
    except BrokenPipeError:  # a stream's reader left (`-o /dev/stdout | head`): the CLI's
        raise                # 141; streams go first, so no file has been replaced yet
    except OSError as exc:
        problem = f"{path}: cannot write ({exc.strerror or exc})"
        try:
            restore(replaced)
        except OSError as again:
            problem += f"; restoring the files already written failed too ({again.strerror})"
        raise InputError(problem) from None
    finally:
        for temporary in staged.values():
            Path(temporary).unlink(missing_ok=True)
    for folder in {real[path].parent for path in staged}:
        sync_folder(folder)


def resolved(path: Path) -> Path:
    """The path with its links followed; an InputError for links that loop (Python
    raised RuntimeError)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError) as exc:
        raise InputError(f"{path}: cannot be written ({exc})") from None


def refuse_read_only(path: Path, real: Path) -> None:
    """InputError for an existing file that this user may not write, or, for root, that
    its owner may not (0444: root may write it, but it is marked read-only, as an editor
    warns)."""
    try:
        mode = real.stat().st_mode
    except OSError:
        return  # not there yet: it is created, or the folder's error is reported later
    if not os.access(real, os.W_OK) or os.geteuid() == 0 and not mode & stat.S_IWUSR:
        raise InputError(f"{path}: is read-only (mode {stat.S_IMODE(mode):04o}): nothing "
                         "written; make it writable (chmod u+w) to let kg replace it")


def stream_target(path: Path) -> int | Path | None:
    """Where to write `path` as a stream, if it is one: the descriptor, 1 or 2, of the
    standard stream it names (/dev/stdout, also when redirected to a file), or the path of
    a device or pipe. None for a regular file, or one not there yet."""
    try:
        found = os.stat(path)  # links followed, /proc's too
    except OSError:
        return None
    for descriptor in (1, 2):
        try:
            if os.path.samestat(found, os.fstat(descriptor)):
                return descriptor
        except OSError:
            continue  # that stream is closed
    return None if stat.S_ISREG(found.st_mode) else path


def open_stream(target: int | Path):
    if isinstance(target, Path):
        return open(target, "wb")
    sys.stdout.flush()  # what was printed before comes first
    return os.fdopen(os.dup(target), "wb")  # shares the offset: `>>` appends


def stage(path: Path, data: bytes) -> str:
    """A synced temporary file beside `path` holding `data`, with the file's mode."""
    import tempfile  # 8 ms that a command only reading a kept file need not pay

    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX,
                                             dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(stream.fileno(), mode)
            os.fsync(stream.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def restore(replaced: dict[Path, bytes | None]) -> None:
    """Undo renames: old contents back (atomically too), new files removed."""
    for path, old in replaced.items():
        if old is None:
            path.unlink(missing_ok=True)
        else:
            os.replace(stage(path, old), path)


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (its entry is in the folder, not the file)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def keep_file(path: Path, data: bytes, budget: int) -> None:
    """Write a file that a cache keeps (kg.results' results, kg.store's input keys) all at
    once, synced (a reader never sees it half written, nor cut short after a crash), then
    remove the least recently used files of its suffix in its folder beyond `budget`
    bytes. Never an error: a cache that takes no writes keeps nothing."""
    if len(data) > budget:
        return
    try:
        path.parent.mkdir(exist_ok=True)  # not its parents: a build removed meanwhile stays so
        temporary = stage(path, data)
    except OSError:  # a cache that takes no writes, a full disk
        return
    try:
        os.replace(temporary, path)
    except OSError:
        return
    finally:  # gone once renamed; else (a failed rename, Ctrl-C) not to be left there
        Path(temporary).unlink(missing_ok=True)
    evict(path.parent, path.suffix, budget)


def read_kept(path: Path) -> bytes | None:
    """The bytes of a file keep_file wrote, now marked as used (evict removes it last);
    None if it is not there or cannot be read, never an error."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        os.utime(path)
    except OSError:  # a cache that takes no writes still reads
        pass
    return data


def evict(folder: Path, suffix: str, budget: int) -> None:
    """Remove the least recently used (by mtime) files ending in `suffix` beyond `budget`
    bytes in all, and temporary files older than STALE_TEMPORARY_SECONDS."""
    import time

    used = []
    try:
        entries = list(folder.iterdir())
    except OSError:  # removed with its build meanwhile
        return
    for entry in entries:
        try:
            status = entry.stat()
            if entry.suffix == suffix:
                used.append((status.st_mtime, status.st_size, entry))
            elif (entry.name.endswith(TEMP_SUFFIX)
                  and time.time() - status.st_mtime > STALE_TEMPORARY_SECONDS):
                entry.unlink()
        except OSError:  # another process removed it
            continue
    total = sum(size for _, size, _ in used)
    for _, size, entry in sorted(used):
        if total <= budget:
            break
        try:
            entry.unlink(missing_ok=True)
        except OSError:
            return
        total -= size
