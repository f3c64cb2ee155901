"""The W3C RDF 1.1 Turtle syntax suite (../shared/w3c-rdf-tests/rdf11-turtle).

`kg validate` rejects every negative-syntax test with exit code 2 and a file:line:column
message; `kg validate --syntax-only` accepts every positive-syntax test.
"""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Namespace, RDF

from kg.cli import cli

SUITE = Path(__file__).resolve().parents[2] / "shared" / "w3c-rdf-tests" / "rdf11-turtle"
RDFT = Namespace("http://www.w3.org/ns/rdftest#")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")


def suite_tests(kind: str) -> list[Path]:
    if not SUITE.is_dir():
        return []
    manifest = Graph().parse(SUITE / "manifest.ttl", publicID=SUITE.as_uri() + "/")
    return sorted(SUITE / str(m.value(t, MF.action)).rsplit("/", 1)[-1]
                  for m in [manifest] for t in m.subjects(RDF.type, RDFT[kind]))


NEGATIVE = suite_tests("TestTurtleNegativeSyntax")
POSITIVE = suite_tests("TestTurtlePositiveSyntax")
# The positive tests that use relative IRIs (<s> <p> <o>) and declare no @base.
RELATIVE_WITHOUT_BASE = {f"turtle-syntax-{name}.ttl" for name in (
    "datatypes-01", "datatypes-02", "kw-01", "kw-02",
    *(f"number-{n:02}" for n in range(1, 12)))}
pytestmark = pytest.mark.skipif(not SUITE.is_dir(), reason="needs ../shared/w3c-rdf-tests")


def test_the_suite_is_complete():
    assert (len(NEGATIVE), len(POSITIVE)) == (94, 74)


@pytest.mark.parametrize("path", NEGATIVE, ids=lambda p: p.name)
def test_negative_syntax_is_rejected_with_its_position(path):
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert re.fullmatch(rf"kg: error: {re.escape(str(path))}:\d+:\d+: .+\n", result.stderr)


@pytest.mark.parametrize("path", POSITIVE, ids=lambda p: p.name)
def test_positive_syntax_is_accepted(path):
    """But for a relative IRI without @base: the suite gives each test its URL as the base
    IRI; kg gives none (the file's own place made file:/// IRIs that reached the data)."""
    result = CliRunner().invoke(cli, ["validate", "--syntax-only", str(path)])
    if path.name in RELATIVE_WITHOUT_BASE:
        assert result.exit_code == 2
        assert re.fullmatch(rf"kg: error: {re.escape(str(path))}:\d+:1: <\w+> is a relative IRI, "
                            r"and no @base resolves it: .+\n", result.stderr)
    else:
        assert result.exit_code == 0, result.output


def test_the_tests_with_relative_iris_are_in_the_suite():
    assert RELATIVE_WITHOUT_BASE <= {path.name for path in POSITIVE}
