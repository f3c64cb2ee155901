"""The OWL 2 RL rules inside the store give the same instance-level triples as owlrl."""

import pytest
from generate import write_working_copy
from rdflib import BNode, Graph, URIRef

from kg.namespaces import AKC, AKD
from kg.store import open_graph


AK = "https://w3id.org/alliance-kg/ontology#"


def instance_level(graph: Graph) -> set[tuple]:
    """Triples about curated entities, concepts and citations (not the ontology).

    A citation's blank node is named by what identifies it (the node citing it, its source
    and its quote), so that two builds compare as plain sets; rdflib's isomorphism test
    takes minutes on thousands of blank nodes.
    """
    def name(term):
        if not isinstance(term, BNode):
            return term
        citing = next(graph.subjects(None, term), None)
        return ("citation", citing, graph.value(term, URIRef(AK + "inSource")),
                graph.value(term, URIRef(AK + "quote")))

    citations = {o for p in ("citation", "disputedBy") for o in graph.objects(None, URIRef(AK + p))}
    return {(name(s), p, name(o)) for s, p, o in graph
            if s in citations or str(s).startswith((AKD, AKC))}


def assert_same_inference(data):
    rules = instance_level(open_graph(data, reasoner="rules").rdflib_graph())
    owlrl = instance_level(open_graph(data, reasoner="owlrl").rdflib_graph())
    assert sorted(rules - owlrl, key=str)[:5] == sorted(owlrl - rules, key=str)[:5] == []
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
