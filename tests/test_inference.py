"""The OWL 2 RL rules inside the store give the same instance-level triples as owlrl."""

from pathlib import Path

import pytest
from generate import write_working_copy
from rdflib import BNode, Graph, URIRef

from kg.namespaces import AKC, AKD
from kg.store import open_graph


AK = "https://w3id.org/alliance-kg/ontology#"
CANDIDATES = Path(__file__).parent / "fixtures" / "candidates"


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


@pytest.mark.parametrize("size", [None, 10_000])
def test_a_candidate_inferred_from_its_own_triples_gives_what_inference_from_scratch_gives(
        tmp_path, size):
    """kg validate of a candidate inferred the whole graph again with it: a minute at a
    million triples. The shipped graph is copied in memory, a synthetic one of 10k triples
    on disk."""
    from kg.loading import parse_file
    from kg.store import DUMP_FILE, materialised, with_candidate

    graph = open_graph(None if size is None else write_working_copy(tmp_path / "syn", size, seed=7))
    assert (graph.path / DUMP_FILE).is_file() == (size is None)
    country = "akd:japan" if size is None else "akd:syn-country-1"
    (tmp_path / "new.ttl").write_text(
        "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
        "@prefix akd: <https://w3id.org/alliance-kg/id/> .\n"
        f"akd:new-mou a ak:MemorandumOfUnderstanding ; ak:party {country} , akd:new-country .\n")
    candidate = [q for path in (CANDIDATES / "good.ttl", CANDIDATES / "mistakes.ttl",
                                tmp_path / "new.ttl") for q in parse_file(path)]
    with with_candidate(graph, candidate) as store:
        incremental = set(store.quads_for_pattern(None, None, None, None))
    scratch = set(materialised(graph.asserted_quads() + candidate).quads_for_pattern(
        None, None, None, None))
    assert sorted(map(str, incremental - scratch))[:5] == sorted(map(str, scratch - incremental))[:5] == []
    # an MoU's type follows from its class, and its parties are participants
    assert {q.predicate.value.rsplit("#")[-1] for q in incremental
            if q.subject.value == AKD + "new-mou"} >= {"agreementType", "participant"}
