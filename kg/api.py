"""The Python API of alliance-kg; the `kg` CLI is a thin layer over these functions.

    >>> import kg
    >>> graph = kg.open_graph()
    >>> rows = kg.run_query("co-production", {"system": "PAC-3"}, graph)
    >>> rows.to_dicts(label=graph.label)[0]["participant"]
    'Japan'
    >>> rdf = kg.rdflib_graph(graph=graph)   # the inferred graph as an rdflib Graph
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.catalog import (CannedQuery, in_written_order, load_catalog, prepare, resolve,
                        typed_text)
from kg.errors import InputError, KGError, expect, expect_flag, whole_number
from kg.safety import (DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, MAX_WORKERS, PUSH_TIMEOUT,
                       check_timeout, run_with_timeout, safe_query)
from kg.loading import check_utf8, find_inputs, sources_folder
from kg.output import FORMATS, display, json_value, write_rows
from kg.results import kept_select
from kg.store import CompiledGraph, open_graph

BUILT_IN_QUERIES = Path(__file__).resolve().parent / "sparql"

__all__ = ["Rows", "CompiledGraph", "open_graph", "queries", "run_query", "sparql",
           "absent_names", "describe", "stats", "rdflib_graph", "validate", "validate_text",
           "add", "format_files", "format_diff", "dropped_comments", "networkx_graph",
           "export_graph", "push", "serve",
           "KGError", "InputError"]


@dataclass
class Rows:
    """Query results: variable names and rows of pyoxigraph terms (None where unbound)."""

    variables: list[str]
    terms: list[list]
    boolean: bool | None = None  # an ASK query's answer (its one `result` row holds it too)
    triples: bool = False  # a CONSTRUCT's or DESCRIBE's rows: subject, predicate, object
    kept: bool = False  # read back from the results an earlier run kept (kg.results)

    def to_dicts(self, label: Callable[[ox.NamedNode], str] | None = None,
                 typed: bool = False) -> list[dict]:
        """Rows as dicts of plain values: IRIs and literals as their string values, blank
        nodes as _:id, or with `label=graph.label` IRIs (and blank nodes) as their labels, as the CLI's
        tables show them; with `typed`, numbers and booleans as Python's, as `-f jsonl`
        writes them."""
        expect_label(label)
        expect_flag(typed, "to_dicts typed")

        def plain(term):
            if term is None:
                return None
            text = display(term, label)  # what -f csv and -f jsonl show
            return json_value(term, text) if typed else text

        return [{name: plain(term) for name, term in zip(self.variables, row)}
                for row in self.terms]

    def to_pandas(self, label: Callable[[ox.NamedNode], str] | None = None):
        """The rows as a pandas DataFrame of plain values, numbers as numbers (see
        to_dicts; pandas is not a dependency)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("Rows.to_pandas() needs pandas, which alliance-kg does not "
                              "install: pip install pandas") from None
        return pandas.DataFrame(self.to_dicts(label, typed=True), columns=self.variables)

    def to_text(self, fmt: str = "table",
                label: Callable[[ox.NamedNode], str] | None = None) -> str:
        """The rows as `kg query -f FMT` prints them: FMT one of kg.output.FORMATS (json is
        SPARQL 1.1 Results JSON), IRIs whole or, with `label=graph.label`, as labels."""
        expect(fmt, str, "to_text fmt", f"one of {', '.join(FORMATS)}")
        expect_label(label)
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
        out = io.StringIO()
        write_rows(self.variables, self.terms, fmt, label, boolean=self.boolean, out=out)
        return out.getvalue()

    def page(self, offset: int = 0, limit: int | None = None) -> Rows:
        """The rows from `offset` on, at most `limit` of them (None: all): a page of a
        long answer, as `kg query --offset --limit` and kg serve's offset= and limit= give."""
        for value, name in ((offset, "offset"), (limit, "limit")):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 0):
                raise ValueError(f"page {name}: a whole number of rows, 0 or more, not {value!r}")
        end = None if limit is None else offset + limit
        return Rows(self.variables, self.terms[offset:end], self.boolean, self.triples,
                    self.kept)

    def columns(self, names) -> Rows:
        """The same rows with only the named columns (an iterable of names), in that
        order; a KeyError for a name that is no column."""
        names = self.column_names(names, "columns")
        index = [self.variables.index(name) for name in names]
        return Rows(names, [[row[i] for i in index] for row in self.terms], self.boolean,
                    self.triples and names == self.variables, self.kept)

    def without(self, names) -> Rows:
        """The same rows without the named columns (an iterable of names)."""
        names = self.column_names(names, "without")
        return self.columns([name for name in self.variables if name not in names])

    def column_names(self, names, method: str) -> list[str]:
        """`names` as a list, each one a column: a generator was read once, to an empty
        header over the rows, and a str was taken for its characters ("role" for r, o...)."""
        if isinstance(names, str):
            raise TypeError(f"Rows.{method}: a list of column names, not one str: "
                            f"write [{names!r}]")
        expect(names, Iterable, f"Rows.{method} names", "a list of column names")
        names = list(names)
        unknown = [name for name in names if name not in self.variables]
        if unknown:
            raise KeyError(f"Rows.{method}: no column {unknown[0]!r} (the columns: "
                           f"{', '.join(self.variables)})")
        return names

    def __len__(self) -> int:
        return len(self.terms)

    def __bool__(self) -> bool:
        """An ASK query's answer; else whether there are rows (an ASK result has its one
        row either way: `if kg.sparql("ASK ...")` was always taken)."""
        return self.boolean if self.boolean is not None else bool(self.terms)

    def __iter__(self):
        """The rows as dicts of plain values (`for row in rows`, as to_dicts() gives them)."""
        return iter(self.to_dicts())


def serve(graph: CompiledGraph | None = None, host: str = "127.0.0.1", port: int = 8000, *,
          timeout: float | None = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
          workers: int | None = None, quiet: bool = True):
    """A SPARQL 1.1 Protocol server of the graph, as `kg serve` runs it, bound but not yet
    serving: call its serve_forever() (in a thread, to go on), then shutdown() and
    server_close(). Its `url` is http://HOST:PORT (port 0: a free one); queries take at
    most `timeout` s and `max_rows` rows, in `workers` processes (default: one a CPU),
    which import the calling script again (Python's `spawn`): in a script, call serve()
    under `if __name__ == "__main__":`. `quiet=False` logs each request on stderr."""
    from kg.server import make_server

    # as `kg serve` checks its options: a bad value failed every query, or deep inside
    expect(host, str, "serve host", "a host name or IP address")
    whole_number(port, "serve port", 0, 65535)
    check_timeout(timeout)
    whole_number(max_rows, "serve max_rows", 1)
    if workers is not None:
        whole_number(workers, "serve workers", 1, MAX_WORKERS)
    expect_flag(quiet, "serve quiet")
    return make_server(compiled(graph), host, port, timeout=timeout, max_rows=max_rows,
                       quiet=quiet, workers=workers)


def queries(data=None) -> dict[str, CannedQuery]:
    """The canned queries, by name, as `kg queries` lists them. (Not `catalog`: that
    name is taken by the submodule kg.catalog, which would hide it as `kg.catalog`.)"""
    return load_catalog(find_inputs(data).queries_dir)


def run_query(name: str, params: dict | None = None,
              graph: CompiledGraph | None = None, *, flag: str = "--{}") -> Rows:
    """Run a canned query with parameters given as a user would type them, as values
    whose str() is that ({"from": 2020}) or as terms of a result (a pyoxigraph NamedNode
    or Literal); a parameter given None is left out. Errors spell a parameter as `flag`
    does."""
    expect(name, str, "run_query name", "a canned query's name")
    expect(flag, str, "run_query flag", "how errors spell a parameter, such as \"--{}\"")
    if flag.count("{") != 1 or flag.count("}") != 1 or "{}" not in flag:  # str.format's
        raise ValueError(f"run_query flag {flag!r}: one {{}} for the parameter's name and no "
                         f"other brace, as in \"--{{}}\"")
    if params is not None:
        expect(params, Mapping, "run_query params", "a dict of parameter values")
    graph = compiled(graph)
    query, substitutions = prepare(graph, name, params, flag)
    # in a thread of its own, as a user's query, so that Ctrl-C stops it (no time limit)
    variables, terms, kept = kept_select(graph, query.sparql, substitutions, str(query.path),
                                         run=lambda work: run_with_timeout(work, None))
    rows = Rows(variables, terms, kept=kept)
    return rows.columns(query.result_columns(rows.variables))


def sparql(text: str, graph: CompiledGraph | None = None,
           timeout: float | None = DEFAULT_TIMEOUT, origin: str = "") -> Rows:
    """Run a user's SPARQL query, refusing SERVICE, FROM and updates, within `timeout` s
    (None or 0: no limit; at most a day).

    ASK gives one `result` column, and its answer as `.boolean`; CONSTRUCT and DESCRIBE
    give subject, predicate, object.
    `origin`, the query's file, goes in front of an error as `file:line:column:`.
    """
    expect(text, str, "sparql text", "the query")
    expect(origin, str, "sparql origin", "the query's file name, or \"\"")
    check_utf8(text, "sparql text")  # pyoxigraph's own error on a lone surrogate
    rows = Rows(*safe_query(compiled(graph), text, timeout, origin))
    return rows.columns(in_written_order(text, rows.variables))


def absent_names(text: str, graph: CompiledGraph | None = None,
                 within: tuple[str, ...] = ()) -> list:
    """The names of a SPARQL query that no triple of the graph uses (kg.hints.AbsentName:
    as written, line, column and the nearest names the graph uses): why a query with a
    mistyped `rdfs:labl` finds nothing. With `within` (namespace IRIs), only those names."""
    from kg.hints import absent_names as find_absent

    expect(text, str, "absent_names text", "the query")
    check_utf8(text, "absent_names text")
    return find_absent(compiled(graph), text, tuple(within))


def describe(term, graph: CompiledGraph | None = None, inferred: bool = False) -> Rows:
    """Every statement about one entity (a name as run_query takes it, or a NamedNode of
    a result), with the source and quote behind it; with `inferred`, also the links to
    other entities that inference adds (Japan `operates` PAC-3)."""
    expect(term, (str, ox.NamedNode, ox.Literal), "describe term",
           "a name or a result's NamedNode")
    expect_flag(inferred, "describe inferred")
    graph = compiled(graph)
    entity = resolve(graph, typed_text(term), what="entity")
    text = (BUILT_IN_QUERIES / "describe.rq").read_text(encoding="utf-8")
    return Rows(*graph.select(text, {ox.Variable("entity"): entity,
                                     ox.Variable("inferred"): ox.Literal(inferred)})
                ).without({"entity", "inferred"})


def stats(graph: CompiledGraph | None = None) -> Rows:
    """Triples per graph, instances per class and contributions per source."""
    graph = compiled(graph)
    variables, terms, kept = kept_select(
        graph, (BUILT_IN_QUERIES / "stats.rq").read_text(encoding="utf-8"))
    return Rows(variables, terms, kept=kept)


def rdflib_graph(data=None, inferred: bool = True, graph: CompiledGraph | None = None):
    """The graph as an rdflib Graph (asserted plus inferred triples unless inferred=False)."""
    expect_flag(inferred, "rdflib_graph inferred")
    return compiled(graph, data).rdflib_graph(inferred=inferred)


def networkx_graph(data=None, inferred: bool = True, collapse_facts: bool = False,
                   graph: CompiledGraph | None = None):
    """The graph as a networkx MultiDiGraph (see kg.export.property_graph)."""
    from kg.export import property_graph

    expect_flag(inferred, "networkx_graph inferred")
    expect_flag(collapse_facts, "networkx_graph collapse_facts")
    return property_graph(compiled(graph, data), inferred, collapse_facts)


def export_graph(fmt: str, inferred: bool = True, collapse_facts: bool = False,
                 graph: CompiledGraph | None = None, store_layout: bool = False) -> dict[str, bytes]:
    """The graph exported in one format of kg.export.FORMATS, as {file name: bytes};
    `store_layout` as `kg export --store-layout`."""
    from kg.export import FORMATS as EXPORT_FORMATS, export

    expect(fmt, str, "export_graph fmt", f"one of {', '.join(EXPORT_FORMATS)}")
    expect_flag(inferred, "export_graph inferred")
    expect_flag(collapse_facts, "export_graph collapse_facts")
    expect_flag(store_layout, "export_graph store_layout")
    return export(compiled(graph), fmt, inferred, collapse_facts, store_layout)


def validate(files=(), sources=None, graph: CompiledGraph | None = None):
    """Validate the graph, or candidate Turtle files with it; a kg.validation.Report.

    `files` is one path or several; `sources` is a folder of source texts for checking
    quotes.
    """
    from kg.validation import check

    return check(compiled(graph), paths_of(files), sources_folder(sources))


def validate_text(turtle: str, name: str = "<string>", sources=None,
                  graph: CompiledGraph | None = None):
    """Validate candidate Turtle given as text (an editor's buffer, a form) with the
    graph, as validate() does a file; problems and syntax errors are placed at NAME:LINE:COLUMN."""
    from kg.loading import TurtleText
    from kg.validation import check

    expect(turtle, str, "validate_text turtle", "the Turtle as a str")
    expect(name, str, "validate_text name", "what messages call the text")
    return check(compiled(graph), [TurtleText.from_text(turtle, name)], sources_folder(sources))


def add(files, data=None, sources=None, fail_on: str = "violation"):
    """Validate candidate Turtle files with the working copy `data` (a folder, or
    $KG_DATA), then merge their triples into its data files; with any problem of
    `fail_on` severity or worse ("violation", "warning", "info") nothing is written. A
    kg.curation.AddResult (.problems, .refused, .written, .added, and .unchecked_quotes:
    the new quotes not checked, when no `sources` folder is given)."""
    from kg.curation import add as merge
    from kg.validation import check

    files = paths_of(files)
    if not files:  # the whole working copy was validated, its problems put to no candidate
        raise InputError("add: no candidate files given: name the Turtle files to add")
    inputs = find_inputs(data)
    sources = sources_folder(sources)
    reports = []

    def validate(candidates):
        reports.append(check(open_graph(inputs), candidates, sources))
        return reports[-1].problems

    result = merge(inputs, files, validate, fail_on=fail_on)
    if result.added:  # as kg validate counts them: a quote the graph cites already is checked
        result.unchecked_quotes = reports[-1].unchecked_quotes
    return result


def format_files(data=None, check: bool = False) -> list[Path]:
    """The working copy's data files not in canonical Turtle; unless `check`, rewritten."""
    from kg.curation import format_files as rewrite

    expect_flag(check, "format_files check")
    return rewrite(find_inputs(data), check=check)


def dropped_comments(data=None) -> list[tuple[Path, int]]:
    """(file, line) of the first comment of each data file that `format_files` would drop:
    the canonical form keeps only a file's leading comments."""
    from kg.curation import dropped_comments as dropped

    return dropped(find_inputs(data))


def format_diff(data=None) -> str:
    """What `format_files` would change, as a unified diff; "" when nothing would."""
    from kg.curation import format_diff as diff

    return diff(find_inputs(data))


def push(endpoint: str, graph_iri: str | None = None, graph: CompiledGraph | None = None,
         timeout: float | None = PUSH_TIMEOUT) -> int:
    """Upload the graph to a triple store's Graph Store Protocol URL, giving up when the
    store has sent nothing for `timeout` s (0 or None: no limit); the triples sent."""
    from kg.remote import check_target, push as upload

    expect(endpoint, str, "push endpoint", "the store's URL")
    if graph_iri is not None:  # checked again below, but named as the CLI's --graph
        expect(graph_iri, str, "push graph_iri", "an absolute IRI")
    check_timeout(timeout)
    check_target(endpoint, graph_iri)  # before a graph is compiled for nothing
    return upload(compiled(graph), endpoint, graph_iri, timeout)


def expect_label(label) -> None:
    if label is not None and not callable(label):
        raise TypeError(f"label: a function such as graph.label, not a {type(label).__name__}")


def compiled(graph: CompiledGraph | None, data=None) -> CompiledGraph:
    """`graph`, or the one of `data` (or $KG_DATA, or the package) if it is None."""
    if graph is None:
        return open_graph(data)
    expect(graph, CompiledGraph, "graph", "kg.open_graph(data)")
    if data is not None:  # it was silently not used
        raise TypeError("give graph or data, not both (a graph is already that of some data)")
    return graph


def paths_of(files) -> list[Path]:
    """One path or several, as a list."""
    if isinstance(files, (str, os.PathLike)):
        return [Path(files)]
    if isinstance(files, bytes):  # iterable, of ints: the error named an int
        raise TypeError("files: a path or a list of paths, not a bytes")
    expect(files, Iterable, "files", "a path or a list of paths")
    files = list(files)
    for file in files:
        expect(file, (str, os.PathLike), "files", "a path or a list of paths")
    return [Path(file) for file in files]
