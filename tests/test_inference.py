"""The OWL 2 RL rules inside the store give the same instance-level triples as owlrl."""

import sys
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic, graph_diff

from kg.namespaces import AKC, AKD
from kg.store import open_graph

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from generate import write_working_copy  # noqa: E402


def instance_level(graph: Graph) -> Graph:
    """Triples about curated entities, concepts and their citations (not the ontology)."""
    citations = set(graph.objects(None, URIRef("https://w3id.org/alliance-kg/ontology#citation")))
    result = Graph()
    for triple in graph:
        subject = triple[0]
        if (isinstance(subject, URIRef) and str(subject).startswith((AKD, AKC))) or (
                isinstance(subject, BNode) and subject in citations):
            result.add(triple)
    return result


def assert_same_inference(data):
    rules = instance_level(open_graph(data, reasoner="rules").rdflib_graph())
    owlrl = instance_level(open_graph(data, reasoner="owlrl").rdflib_graph())
    if not isomorphic(rules, owlrl):
        _, only_rules, only_owlrl = graph_diff(rules, owlrl)
        pytest.fail(f"only rules: {sorted(only_rules)[:5]}; only owlrl: {sorted(only_owlrl)[:5]}")
    return rules


def test_shipped_graph():
    graph = assert_same_inference(None)
    assert len(graph) > 3000


def test_synthetic_10k_graph(tmp_path):
    graph = assert_same_inference(write_working_copy(tmp_path / "syn", 10_000, seed=7))
    assert len(graph) > 10_000


def test_unknown_reasoner():
    from kg.errors import InputError

    with pytest.raises(InputError, match="unknown reasoner 'hermit'"):
        open_graph(reasoner="hermit")
