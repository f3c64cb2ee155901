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
    result = CliRunner().invoke(cli, ["validate", "--syntax-only", str(path)])
    assert result.exit_code == 0, result.output
