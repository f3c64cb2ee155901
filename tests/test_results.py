"""Results of slow queries kept beside the build (kg.results)."""

import os
import re
import stat

import pyoxigraph as ox
import pytest

from kg import results
from kg.api import run_query, stats
from kg.namespaces import GRAPHS
from kg.store import CompiledGraph, open_graph
from kg.writing import STALE_TEMPORARY_SECONDS

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
ASSERTED = ox.NamedNode(GRAPHS + "asserted")
# every kind of cell a result has: IRIs, a blank node, literals plain, typed and tagged
# (with a tab, a line break and quotes in them), and an unbound one
QUADS = [
    ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"),
            ox.Literal('tab\there\nand "quotes"', language="en"), ASSERTED),
    ox.Quad(ox.BlankNode("b1"), ox.NamedNode(EX + "p"),
            ox.Literal("2020", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")),
            ASSERTED),
    ox.Quad(ox.NamedNode(EX + "c"), ox.NamedNode(EX + "q"), ox.NamedNode(EX + "a"), ASSERTED),
    *[ox.Quad(ox.NamedNode(EX + "n"), ox.NamedNode(EX + "q"),
              ox.Literal(value, datatype=ox.NamedNode(XSD + kind)), ASSERTED)
      for value, kind in (("7", "integer"), ("1.5", "decimal"), ("true", "boolean"))],
]
QUERY = "SELECT ?s ?o ?unbound WHERE { ?s ?p ?o OPTIONAL { ?s <urn:none> ?unbound } } ORDER BY STR(?o)"


@pytest.fixture
def store_graph(tmp_path):
    """A graph over an in-memory store, in a folder as a build's."""
    store = ox.Store()
    store.extend(QUADS)
    (tmp_path / "build.json").write_text('{"id": "test-build"}')
    return CompiledGraph(store, inputs=None, key="test", path=tmp_path)


@pytest.fixture
def keep_all(monkeypatch):
    """Every query counts as slow."""
    monkeypatch.setattr(results, "KEEP_AFTER_SECONDS", 0)


def kept_files(graph):
    return sorted((graph.path / results.RESULTS_FOLDER).glob("*.tsv"))


def no_engine(graph, monkeypatch):
    """The store can no longer answer: what comes back was read from the kept file."""
    def refuse(*args, **kwargs):
        raise AssertionError("the query ran again")
    monkeypatch.setattr(graph, "solutions", refuse)


def test_a_slow_querys_results_are_read_back_exactly(store_graph, keep_all, monkeypatch):
    *computed, kept_before = results.kept_select(store_graph, QUERY)
    assert computed == list(store_graph.select(QUERY)) and not kept_before
    [kept] = kept_files(store_graph)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o644  # as the build's other files
    no_engine(store_graph, monkeypatch)
    assert results.kept_select(store_graph, QUERY) == (*computed, True)
    assert computed[1] == [[quad.subject, quad.object, None] for quad in
                           (QUADS[4], QUADS[1], QUADS[3], QUADS[2], QUADS[0], QUADS[5])]


def test_a_graph_that_is_no_build_keeps_nothing(store_graph, keep_all):
    (store_graph.path / "build.json").unlink()
    graph = CompiledGraph(store_graph.store, inputs=None, key="test", path=store_graph.path)
    assert results.kept_select(graph, QUERY)[:2] == store_graph.select(QUERY)
    assert not (graph.path / results.RESULTS_FOLDER).exists()


def test_a_fast_query_keeps_nothing(store_graph, monkeypatch):
    monkeypatch.setattr(results, "KEEP_AFTER_SECONDS", 60)
    assert results.kept_select(store_graph, QUERY)[:2] == store_graph.select(QUERY)
    assert not (store_graph.path / results.RESULTS_FOLDER).exists()


def test_each_binding_of_the_parameters_is_kept_apart(store_graph, keep_all):
    query = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    first = {ox.Variable("o"): ox.NamedNode(EX + "a")}
    other = {ox.Variable("o"): ox.Literal("2020")}
    found = [[ox.NamedNode(EX + "c"), ox.NamedNode(EX + "a")]]
    assert results.kept_select(store_graph, query, first)[1] == found
    assert results.kept_select(store_graph, query, other)[1] == []
    assert results.kept_select(store_graph, query, first)[1] == found
    assert len(kept_files(store_graph)) == 2
    both = {**first, ox.Variable("s"): ox.NamedNode(EX + "c")}
    assert (results.kept_file(store_graph, query, both)
            == results.kept_file(store_graph, query, dict(reversed(list(both.items())))))


@pytest.mark.parametrize("damage", [b"", b"?s\t?o\n<unclosed\n"])
def test_damaged_kept_results_are_computed_again(store_graph, keep_all, damage):
    computed = results.kept_select(store_graph, QUERY)
    [kept] = kept_files(store_graph)
    kept.write_bytes(damage)
    assert results.kept_select(store_graph, QUERY) == computed  # computed again, not kept
    assert kept.read_bytes() not in (damage, b"")


def test_results_that_cannot_be_written_are_still_given(store_graph, keep_all, monkeypatch):
    (store_graph.path / results.RESULTS_FOLDER).write_text("a file where the folder goes")
    assert results.kept_select(store_graph, QUERY)[:2] == store_graph.select(QUERY)

    (store_graph.path / results.RESULTS_FOLDER).unlink()

    def full_disk(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", full_disk)
    assert results.kept_select(store_graph, QUERY)[:2] == store_graph.select(QUERY)
    assert list((store_graph.path / results.RESULTS_FOLDER).iterdir()) == []  # no temporary


def test_the_least_recently_used_go_beyond_the_limit(store_graph, keep_all, monkeypatch):
    queries = [f"SELECT ?s ({n} AS ?n) WHERE {{ ?s ?p ?o }}" for n in range(3)]
    first, second, third = [results.kept_file(store_graph, query, None) for query in queries]
    results.kept_select(store_graph, queries[0])
    monkeypatch.setattr(results, "KEPT_BYTES", 2 * first.stat().st_size)
    results.kept_select(store_graph, queries[1])
    now = first.stat().st_mtime
    os.utime(first, (now - 20, now - 20))
    os.utime(second, (now - 30, now - 30))  # the older, until read again
    results.kept_select(store_graph, queries[1])
    results.kept_select(store_graph, queries[2])
    assert kept_files(store_graph) == sorted([second, third])


def test_what_a_killed_process_left_half_written_is_removed_in_time(store_graph, keep_all):
    folder = store_graph.path / results.RESULTS_FOLDER
    folder.mkdir()
    left, writing = folder / ".left.kg-tmp", folder / ".writing.kg-tmp"
    for temporary in (left, writing):
        temporary.write_bytes(b"?s\n")
    then = left.stat().st_mtime - STALE_TEMPORARY_SECONDS - 60
    os.utime(left, (then, then))
    results.kept_select(store_graph, QUERY)
    assert not left.exists() and writing.exists()


def test_results_of_queries_that_ask_for_the_time_are_not_kept(store_graph, keep_all):
    for query in ("SELECT ?s (now() AS ?t) WHERE { ?s ?p ?o }",
                  "SELECT ?s WHERE { ?s ?p ?o } ORDER BY RAND()",
                  "SELECT ?s WHERE { ?s ?p ?o } ORDER BYRAND()",
                  "SELECT ?s (STRUUID () AS ?id) WHERE { ?s ?p ?o }"):
        assert len(results.kept_select(store_graph, query)[1]) == len(QUADS)
    assert kept_files(store_graph) == []
    # the same names as a variable, in a comment or a string are no call
    results.kept_select(store_graph, "# now (then)\nSELECT ?now ('rand()' AS ?x) WHERE { ?now ?p ?o }")
    assert len(kept_files(store_graph)) == 1


def test_a_build_rebuilt_in_its_folder_reads_no_results_of_the_one_before(
        tiny_copy, fresh_cache, keep_all):
    """A process still reading a build that was replaced (rebuilt after damage) keeps
    results that name its own blank nodes: the new build must not read them."""
    before = open_graph(tiny_copy)
    before.rebuild_next_time()
    after = open_graph(tiny_copy)
    assert after.path == before.path and after.build_id != before.build_id
    results.kept_select(before, QUERY)
    assert len(kept_files(after)) == 1
    assert results.read(results.kept_file(after, QUERY, None)) is None


def test_canned_queries_and_stats_keep_their_results(tiny_copy, fresh_cache, keep_all, monkeypatch):
    graph = open_graph(tiny_copy)
    listing, counts = run_query("co-production", graph=graph), stats(graph)
    assert listing and counts
    assert len(kept_files(graph)) == 2
    assert not listing.kept and not counts.kept
    no_engine(graph, monkeypatch)
    again, counted_again = run_query("co-production", graph=graph), stats(graph)
    assert again.kept and counted_again.kept
    assert (again.variables, again.terms) == (listing.variables, listing.terms)
    assert (counted_again.variables, counted_again.terms) == (counts.variables, counts.terms)
    assert again.page(1).kept and again.columns(["program"]).kept


def test_verbose_says_the_results_were_kept(tiny_copy, fresh_cache, keep_all):
    from click.testing import CliRunner

    from kg.cli import cli

    def timing(*args):
        result = CliRunner().invoke(cli, ["--data", str(tiny_copy), "-v", *args])
        return result.stdout, result.stderr.splitlines()[-1]

    first, again = timing("query", "co-production"), timing("query", "co-production")
    assert first[0] == again[0]
    assert re.fullmatch(r"kg: 2 rows: \d+\.\d\d s to run, \d+\.\d\d s to print", first[1])
    assert re.fullmatch(r"kg: 2 rows: \d+\.\d\d s to read back the results kept, "
                        r"\d+\.\d\d s to print", again[1])
