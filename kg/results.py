"""Results of slow queries, kept beside the build they were computed on.

A build never changes once written (its folder is named by the content of its inputs),
so a query's results on it are fixed by the query's text and the terms bound to its
parameters. A listing of the whole graph that took 15 s at a million triples is read
back in milliseconds the next time. Only results that took KEEP_AFTER_SECONDS or more
are kept, at most KEPT_BYTES a build, the least recently used removed first. Kept
results are an aid, never an error: one that cannot be written or read is computed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg.store import CompiledGraph, table

RESULTS_FOLDER = "results"
# The query commands' own target at a million triples: what answers faster is not kept.
KEEP_AFTER_SECONDS = 0.5
KEPT_BYTES = 128 * 2**20
# SPARQL's TSV results: terms as N-Triples writes them, so they come back exactly.
FORMAT = ox.QueryResultsFormat.TSV


def kept_select(graph: CompiledGraph, sparql: str, substitutions: dict | None = None,
                origin: str = "", run: Callable = lambda work: work()) -> tuple[list[str], list[list]]:
    """graph.select, with the results kept if the query was slow, and read back if they
    were kept before. `run` calls the function that does the work (in a thread, say)."""
    path = kept_file(graph, sparql, substitutions)
    kept = read(path)
    if kept is not None:
        return kept
    started = time.monotonic()
    data = run(lambda: graph.solutions(sparql, substitutions, origin).serialize(format=FORMAT))
    if time.monotonic() - started >= KEEP_AFTER_SECONDS:
        keep(path, data)
    return table(ox.parse_query_results(data, format=FORMAT))


def kept_file(graph: CompiledGraph, sparql: str, substitutions: dict | None) -> Path:
    return graph.path / RESULTS_FOLDER / f"{result_key(sparql, substitutions)}.tsv"


def result_key(sparql: str, substitutions: dict | None) -> str:
    """The same for the same query, parameters and engine (a newer one may fix a result)."""
    bound = sorted(f"{variable} {term}" for variable, term in (substitutions or {}).items())
    text = "\n".join([ox.__version__, sparql, *bound])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read(path: Path) -> tuple[list[str], list[list]] | None:
    try:
        data = path.read_bytes()
        if not data:  # emptied
            return None
        result = table(ox.parse_query_results(data, format=FORMAT))
    except (OSError, SyntaxError):  # not kept, or damaged: computed again
        return None
    try:
        os.utime(path)  # recently used: removed last
    except OSError:
        pass
    return result


def keep(path: Path, data: bytes) -> None:
    """Write the results all at once (a reader never sees them half written), then
    remove the least recently used beyond KEPT_BYTES."""
    import tempfile

    if len(data) > KEPT_BYTES:
        return
    try:
        path.parent.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    except OSError:  # a cache that takes no writes
        return
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError:  # a full disk
        return
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    evict(path.parent)


def evict(folder: Path) -> None:
    used = []
    for kept in folder.glob("*.tsv"):
        try:
            status = kept.stat()
        except FileNotFoundError:  # another process removed it
            continue
        used.append((status.st_mtime, status.st_size, kept))
    total = sum(size for _, size, _ in used)
    for _, size, kept in sorted(used):
        if total <= KEPT_BYTES:
            break
        try:
            kept.unlink(missing_ok=True)
        except OSError:
            return
        total -= size
