"""Results of slow queries, kept beside the build they were computed on.

A build's graph never changes once written (its folder is named by the content of its
inputs, and it has an id of its own, in case it is rebuilt there), so a query's results
on it are fixed by the query's text and the terms bound to its parameters, unless the
query asks for the time or for something random. At a million triples, a listing of the
whole graph that took 11 s is then read back in 0.3 s (printing it takes longer). Only
results that took KEEP_AFTER_SECONDS or more are kept, at most KEPT_BYTES a build, the
least recently used removed first. Kept results are an aid, never an error: one that
cannot be written or read is computed.
"""

from __future__ import annotations

import hashlib
import json
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
# SPARQL's functions whose value changes from one run to the next
UNREPEATABLE = ("NOW", "RAND", "UUID", "STRUUID", "BNODE")


def kept_select(graph: CompiledGraph, sparql: str, substitutions: dict | None = None,
                origin: str = "", run: Callable = lambda work: work()
                ) -> tuple[list[str], list[list], bool]:
    """graph.select, with the results kept if the query was slow, and read back if they
    were kept before (then True comes third). `run` calls the function that does the
    work (in a thread, say)."""
    path = kept_file(graph, sparql, substitutions)
    kept = path and read(path)  # only ever kept for a repeatable query
    if kept:
        return *kept, True
    started = time.monotonic()
    data = run(lambda: graph.solutions(sparql, substitutions, origin).serialize(format=FORMAT))
    # tokens looked at only now: 4 ms on the path of a fast `kg stats`
    if path and time.monotonic() - started >= KEEP_AFTER_SECONDS and repeatable(sparql):
        from kg.writing import keep_file

        keep_file(path, data, KEPT_BYTES)
    return *rows_of(data), False


def repeatable(sparql: str) -> bool:
    """Whether the query gives the same results each time on the same graph: it calls
    none of UNREPEATABLE (as keywords, Oxigraph reads them glued to a word before them:
    `ORDER BYRAND()`)."""
    from kg.safety import code_tokens

    return not any(kind == "word" and text.upper().endswith(UNREPEATABLE)
                   for kind, text, _ in code_tokens(sparql))


def kept_file(graph: CompiledGraph, sparql: str, substitutions: dict | None) -> Path | None:
    """Where the results are kept; None for a graph without a build id. The key names the
    build the graph was opened on, so that a process still reading a build that was since
    replaced under the same folder (rebuilt after damage) neither reads nor leaves results
    of the other one."""
    if not graph.build_id:
        return None
    bound = sorted(f"{variable} {term}" for variable, term in (substitutions or {}).items())
    text = json.dumps([graph.build_id, ox.__version__, sparql, bound])
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return graph.path / RESULTS_FOLDER / f"{key}.tsv"


def rows_of(data: bytes) -> tuple[list[str], list[list]]:
    return table(ox.parse_query_results(data, format=FORMAT))


def read(path: Path) -> tuple[list[str], list[list]] | None:
    from kg.writing import read_kept

    data = read_kept(path)
    if not data:  # not kept, or emptied (it would read as no variables): computed again
        return None
    try:
        return rows_of(data)
    except SyntaxError:  # damaged: computed again
        return None
