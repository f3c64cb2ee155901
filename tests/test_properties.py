"""Property-based tests (Hypothesis): whatever Turtle or parameters a user gives, the CLI
never tracebacks, a refused `kg add` changes no data file, and an accepted one leaves a
graph that still validates; the nearest names to a mistyped one are difflib's."""

import shutil

from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from kg.cli import cli

PREFIXES = ("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
            "@prefix akc: <https://w3id.org/alliance-kg/concept/> .\n"
            "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n")
SUBJECTS = ["akd:zapper", "akd:zapper-2", "akd:maker-a", "akd:new-thing", "<http://example.org/x>"]
PREDICATES = ["rdfs:label", "skos:altLabel", "ak:counters", "ak:variantOf", "ak:date", "ak:quantity",
              "ak:countres", "a", "ak:party", "ak:citation"]
OBJECTS = ["akd:zapper", "akd:land-a", "akc:drone", "ak:Event", "ak:Evnt",
           '"Zapper"@en', '"New thing"@en', '"2020"^^xsd:gYear', '"abc"^^xsd:date', '"12"',
           '"3"^^xsd:nonNegativeInteger', "[ ak:inSource akd:source-test ; ak:quote \"q\" ]"]

triples = st.lists(st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(PREDICATES),
                             st.sampled_from(OBJECTS)), min_size=1, max_size=6)
turtle = triples.map(lambda ts: PREFIXES + "".join(f"{s} {p} {o} .\n" for s, p, o in ts))
noise = st.text(max_size=200)  # anything at all: mostly not Turtle


def kg(*args):
    return CliRunner().invoke(cli, list(args))


def no_traceback(result, codes=(0, 1, 2)):
    assert result.exit_code in codes, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


@given(document=st.one_of(turtle, noise))
def test_validate_never_tracebacks(tiny_copy, tmp_path_factory, document):
    path = tmp_path_factory.mktemp("candidate") / "candidate.ttl"
    path.write_text(document, encoding="utf-8")
    no_traceback(kg("--data", str(tiny_copy), "validate", str(path)))


@given(value=st.text(max_size=40), name=st.sampled_from(["system", "country", "from", "colour"]))
def test_query_parameters_never_traceback(tiny_copy, name, value):
    no_traceback(kg("--data", str(tiny_copy), "query", "co-production", f"--{name}", value), (0, 2))


@given(document=turtle)
def test_add_is_all_or_nothing_and_leaves_a_valid_graph(tiny_copy, tmp_path_factory, document):
    copy = tmp_path_factory.mktemp("copy")
    for name in ("ontology", "data", "queries"):
        shutil.copytree(tiny_copy / name, copy / name)
    candidate = tmp_path_factory.mktemp("candidate") / "candidate.ttl"
    candidate.write_text(document, encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (copy / "data").glob("*.ttl")}
    result = kg("--data", str(copy), "add", str(candidate))
    no_traceback(result)
    if result.exit_code != 0:
        assert {p.name: p.read_bytes() for p in (copy / "data").glob("*.ttl")} == before
    else:
        assert kg("--data", str(copy), "validate").exit_code == 0


@given(typed=st.text("abcd-", max_size=6),
       names=st.lists(st.text("abcd-", max_size=6), max_size=30),
       n=st.integers(1, 5), cutoff=st.sampled_from([0.0, 0.6, 0.8]))
@example(typed="ab", names=["ac", "ad"], n=1, cutoff=0.0)  # a tie: difflib keeps the greatest name
def test_close_matches_are_difflibs(typed, names, n, cutoff):
    """close_matches scores only the names that may beat the best so far: the matches are
    still those of difflib.get_close_matches (then those far behind the best dropped)."""
    import difflib

    from kg.errors import close_matches

    close = difflib.get_close_matches(typed, names, n=n, cutoff=cutoff)
    top = difflib.SequenceMatcher(None, typed, close[0]).ratio() if close else 0
    assert close_matches(typed, names, n, cutoff) == [
        name for name in close if difflib.SequenceMatcher(None, typed, name).ratio() >= top - 0.1]
