"""The OWL 2 RL rules inside the store give the same instance-level triples as owlrl."""

import re
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


def test_the_first_two_passes_read_their_own_deltas():
    from kg.inference import CLOSING_RULES, first_pass, rule_texts, second_pass

    _, _, instance = rule_texts()
    first, second = first_pass(instance), second_pass(instance)
    # the first pass writes what each rule finds to the inferred graph alone
    assert "GRAPH g:new" in instance and "GRAPH g:new" not in first
    assert first.count("INSERT { GRAPH g:inferred {") == instance.count("INSERT {") == 13
    # the closing rules come last, and read every triple in the first pass, then only
    # what the second pass finds
    assert re.findall(r"(?m)^# rule [\w-]+:", instance)[-2:] == list(CLOSING_RULES)
    assert "GRAPH g:delta" not in first + second
    assert first.count("GRAPH g:asserted {") == 11 and first.count("GRAPH ?from {") == 2
    assert second.count("GRAPH g:inferred {") == 13 + 11  # the inserts, the deltas
    assert second.count("WHERE { GRAPH g:new {") == 2


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
        "@prefix akc: <https://w3id.org/alliance-kg/concept/> .\n"
        f"akd:new-mou a ak:MemorandumOfUnderstanding ; ak:party {country} , akd:new-country .\n"
        "akd:new-treaty ak:agreementType akc:new-treaty-type .\n"
        f"{country} a ak:Agent .\n"  # which the graph infers already
        "akc:mou <http://www.w3.org/2000/01/rdf-schema#seeAlso> akd:new-mou .\n")
    candidate = [q for path in (CANDIDATES / "good.ttl", CANDIDATES / "mistakes.ttl",
                                tmp_path / "new.ttl") for q in parse_file(path)]
    with with_candidate(graph, candidate) as (store, added):
        incremental = set(store.quads_for_pattern(None, None, None, None))
        added = {t for t in added}
    scratch = set(materialised(graph.asserted_quads() + candidate).quads_for_pattern(
        None, None, None, None))
    assert sorted(map(str, incremental - scratch))[:5] == sorted(map(str, scratch - incremental))[:5] == []
    # and it tells which triples are new (whence the new labels, and the new statements of
    # the concepts)
    compiled = {q.triple for q in graph.store.quads_for_pattern(None, None, None, None)}
    assert added - compiled == {q.triple for q in scratch} - compiled
    assert {(t.subject.value, t.object.value) for t in added} >= {
        (AKC + "mou", AKD + "new-mou"),  # stated by the candidate
        (AKC + "new-treaty-type", "http://www.w3.org/2004/02/skos/core#Concept")}  # inferred
    # an MoU's type follows from its class, and its parties are participants
    assert {q.predicate.value.rsplit("#")[-1] for q in incremental
            if q.subject.value == AKD + "new-mou"} >= {"agreementType", "participant"}


def test_a_candidate_that_states_schema_is_inferred_from_scratch(tmp_path):
    """From its own triples alone, a new subclass would not make the old members of the
    class members of its superclass: inference starts again from every triple."""
    from kg.loading import parse_file
    from kg.store import with_candidate

    graph = open_graph(None)
    (tmp_path / "schema.ttl").write_text(
        "@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "ak:Agreement rdfs:subClassOf ak:Alliance .\n")
    with with_candidate(graph, parse_file(tmp_path / "schema.ttl")) as (store, added):
        made_alliances = {t.subject.value for t in added if t.object.value == AK + "Alliance"}
    assert AKD + "mou-1999-us-japan-bmd" in made_alliances
