"""OWL 2 RL inference: rules run inside the Oxigraph store, with owlrl as the reference.

`materialise` runs the rules of kg/sparql/owl-rl.ru to a fixpoint in the store: fast at
any size; `extend` adds triples to a store so inferred and infers from them alone. `infer`
runs owlrl on an rdflib Graph, minus what owlrl adds that no one wants; a test checks that
both give the same instance-level triples.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef

from kg.namespaces import GRAPHS

# Namespaces whose own terms owlrl describes axiomatically (rdf:type rdf:Property, ...).
BUILT_IN_NAMESPACES = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
REFLEXIVE = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty,
             RDFS.subClassOf, RDFS.subPropertyOf}
TRIVIAL_OBJECTS = {OWL.Thing, RDFS.Resource}


RULES = Path(__file__).resolve().parent / "sparql" / "owl-rl.ru"


INSTANCE_RULES = "# --- instance rules"
# What an instance rule writes to the next pass's delta, besides g:inferred.
ALSO_TO_DELTA = re.compile(r" GRAPH g:new \{[^{}]*\}")
RDF_TYPE = str(RDF.type)
RDF_TYPE_NODE = ox.NamedNode(RDF_TYPE)


def materialise(store, found: Callable[[bytes], None] | None = None) -> None:
    """Run the OWL 2 RL rules until nothing new follows, into the graph g:inferred that
    the rules name.

    The schema rules (a few hundred triples) reach their fixpoint first, so that the
    instance rules see complete class and property hierarchies. The instance rules are
    semi-naive: each pass joins only what the previous pass added (the delta graph) with
    everything else, so later passes cost what they find, not the size of the graph
    (the first pass's delta is the asserted graph, the second's the inferred one, but
    for CLOSING_RULES).

    `found`, if given, is called after each pass with the N-Triples of what g:inferred
    gained (the first time, with the schema rules' triples too): the build loads them
    into its on-disk store while the next passes run. They include the memberships of
    anonymous classes, which are dropped from g:inferred at the end (see
    is_anonymous_membership).
    """
    prologue, schema, instance = rule_texts()
    inferred = ox.NamedNode(GRAPHS + "inferred")
    run_to_fixpoint(store, inferred, schema)
    # The first pass's delta is every asserted triple; what it finds (1.19 of the 1.52
    # million triples inferred from a million) goes to g:inferred alone, which is then
    # the second pass's delta, with the schema rules' triples. Writing it to a delta
    # graph as well made inference 33.5 s long instead of 28.5 (medians of four
    # alternate runs at a million triples): the store takes about 3 s to insert each
    # million triples. Reading a delta that grows during the pass, the second pass also
    # leaves less for a third (4 thousand triples instead of 58 thousand). See
    # CLOSING_RULES for the two rules that read other deltas.
    store.update(prologue + first_pass(instance))

    def report(graph):
        found(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph))

    if found is not None:
        report(inferred)
    run_instance_passes(store, prologue, second_pass(instance), instance,
                        report if found is not None else None)
    store.update(prologue + DROP_ANONYMOUS_TYPES)


# Rules whose one application closes a triple, as the hierarchies they read are
# transitively closed by the schema rules (no instance rule adds to them); they come
# last in a pass, cax-sco after prp-spo1, whose class memberships never feed prp-spo1
# (rdf:type has no superproperty). In the first pass they read every
# triple so far, asserted or found earlier in the pass; then, in the second pass, only
# what the rules before them found in that pass (g:new), not the whole inferred graph
# that the other rules read, where they could only find what is there. At a million
# triples inference alone took 21.0 and 23.9 s instead of 27.7 and 28.3 (alternate runs),
# with the same triples; the whole build, busy on both cores, gained less than its noise.
CLOSING_RULES = ("# rule prp-spo1:", "# rule cax-sco:")


def first_pass(instance: str) -> str:
    """The instance rules as the first pass runs them: on the asserted triples (the
    closing rules on the inferred ones too), writing what they find to g:inferred alone."""
    return ALSO_TO_DELTA.sub("", with_deltas(
        instance, "VALUES ?from { g:asserted g:inferred } GRAPH ?from", "GRAPH g:asserted"))


def second_pass(instance: str) -> str:
    """The instance rules as the second pass runs them: on g:inferred, the closing rules
    on what this pass has found (g:new)."""
    return with_deltas(instance, "GRAPH g:new", "GRAPH g:inferred")


def with_deltas(instance: str, for_closing: str, for_others: str) -> str:
    """The instance rules with their delta graph (`GRAPH g:delta`) replaced: by
    `for_closing` in the CLOSING_RULES, by `for_others` in the others."""
    head, *rules = re.split(r"(?m)^(?=# rule )", instance)
    return head + "".join(
        rule.replace("GRAPH g:delta", for_closing if rule.startswith(CLOSING_RULES) else for_others)
        for rule in rules)


def extend(store, quads) -> list:
    """Assert `quads` in a materialised store, and infer what they imply; the triples
    inferred. Semi-naive passes from them alone give what `materialise` gives of the
    whole, as long as they state no schema (see states_schema): a million-triple graph
    takes seconds, not a minute."""
    prologue, _, instance = rule_texts()
    asserted, delta = ox.NamedNode(GRAPHS + "asserted"), ox.NamedNode(GRAPHS + "delta")
    inferred_graph = ox.NamedNode(GRAPHS + "inferred")
    store.extend(ox.Quad(q.subject, q.predicate, q.object, graph)
                 for q in quads for graph in (asserted, delta))
    for q in quads:  # what is asserted is not inferred (the rules add only what is new)
        store.remove(ox.Quad(q.subject, q.predicate, q.object, inferred_graph))
    inferred: list = []
    run_instance_passes(store, prologue, instance, instance, lambda graph: inferred.extend(
        q.triple for q in store.quads_for_pattern(None, None, None, graph)))
    # Only what the passes found is looked through to drop (see DROP_ANONYMOUS_TYPES): the
    # query reads every inferred class membership (2 s at a million triples).
    kept = []
    for triple in inferred:
        if is_anonymous_membership(triple):
            store.remove(ox.Quad(*triple, inferred_graph))
        else:
            kept.append(triple)
    return kept


def states_schema(quads) -> bool:
    """Whether the quads say what follows from other triples (kg.lint.SCHEMA_PROPERTIES, a
    statement of an ak: term, a class from OWL such as owl:TransitiveProperty), which
    `extend` cannot take: the whole graph must be inferred again."""
    from kg.lint import SCHEMA_PROPERTIES
    from kg.namespaces import AK

    return any(URIRef(q.predicate.value) in SCHEMA_PROPERTIES or q.subject.value.startswith(AK)
               or q.predicate.value == RDF_TYPE and q.object.value.startswith(str(OWL))
               for q in quads)


def rule_texts() -> tuple[str, str, str]:
    """The prefixes, the schema rules and the instance rules of kg/sparql/owl-rl.ru."""
    text = RULES.read_text(encoding="utf-8")
    schema, instance = text.split(INSTANCE_RULES, 1)
    prologue = "".join(line + "\n" for line in schema.splitlines() if line.startswith("PREFIX "))
    return prologue, schema, INSTANCE_RULES + instance


def run_instance_passes(store, prologue: str, first: str, instance: str,
                        found: Callable[[ox.NamedNode], None] | None = None) -> None:
    """The instance rules, pass after pass (`first` the rules of the first pass run
    here), until one finds nothing. `found`, if given, is called after each pass that
    found something with the graph that holds what it found, while it still does."""
    # Each pass writes what it finds both to g:inferred and to the next pass's delta; the
    # two delta graphs then swap roles, as copying one into the other would cost more than
    # the rules themselves.
    swapped = instance.replace("g:delta", "g:next").replace("g:new", "g:delta").replace("g:next", "g:new")
    rules, new = first, "g:new"
    while True:
        store.update(prologue + rules)
        graph = ox.NamedNode(GRAPHS + new.removeprefix("g:"))
        if count(store, graph) == 0:
            break
        if found is not None:
            found(graph)
        # What was just found is the next delta; the other graph is emptied to take what
        # the next pass finds.
        rules, new = (swapped, "g:delta") if new == "g:new" else (instance, "g:new")
        store.update(prologue + f"DROP SILENT GRAPH {new}")
    store.update(prologue + "DROP SILENT GRAPH g:delta ; DROP SILENT GRAPH g:new")


def is_anonymous_membership(triple) -> bool:
    """Whether a pyoxigraph triple makes something a member of an anonymous class (see
    DROP_ANONYMOUS_TYPES)."""
    return isinstance(triple.object, ox.BlankNode) and triple.predicate == RDF_TYPE_NODE


# Membership of an anonymous class (an owl:hasValue restriction, say) is a step of the
# rules, not a fact: it names no class, and JSON-LD cannot even write it (@type takes IRIs).
DROP_ANONYMOUS_TYPES = """DELETE { GRAPH g:inferred { ?x a ?class } }
WHERE { GRAPH g:inferred { ?x a ?class FILTER(isBlank(?class)) } }"""


def run_to_fixpoint(store, inferred_graph, rules: str) -> None:
    while True:
        before = count(store, inferred_graph)
        store.update(rules)
        if count(store, inferred_graph) == before:
            return


def count(store, graph) -> int:
    [solution] = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=graph)
    return int(solution["n"].value)


def infer(asserted: Graph) -> Graph:
    """The asserted graph plus what OWL 2 RL entails from it, cleaned for export."""
    import owlrl

    closure = Graph()
    for triple in asserted:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(closure)
    result = Graph()
    for prefix, namespace in asserted.namespaces():
        result.bind(prefix, namespace, override=True)
    for triple in closure:
        if triple in asserted or is_wanted(triple):
            result.add(triple)
    return result


def is_wanted(triple) -> bool:
    """False for inferred noise: literal subjects, reflexive or trivial axioms, typed
    literals, members of anonymous classes."""
    subject, predicate, obj = triple
    if isinstance(subject, Literal):
        return False
    if isinstance(subject, URIRef) and str(subject).startswith(BUILT_IN_NAMESPACES):
        return False
    if predicate in REFLEXIVE and subject == obj:
        return False
    if obj in TRIVIAL_OBJECTS or obj == OWL.Nothing:
        return False
    if predicate == RDF.type and (str(obj).startswith(str(XSD)) or isinstance(obj, BNode)):
        return False  # a datatype, or an anonymous class (see DROP_ANONYMOUS_TYPES)
    return True
