"""OWL 2 RL inference with owlrl, minus what owlrl adds that no one wants."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef

# Namespaces whose own terms owlrl describes axiomatically (rdf:type rdf:Property, ...).
BUILT_IN = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
REFLEXIVE = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty,
             RDFS.subClassOf, RDFS.subPropertyOf}
TRIVIAL_OBJECTS = {OWL.Thing, RDFS.Resource}


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
    """False for inferred noise: literal subjects, reflexive or trivial axioms, typed literals."""
    subject, predicate, obj = triple
    if isinstance(subject, Literal):
        return False
    if isinstance(subject, URIRef) and str(subject).startswith(BUILT_IN):
        return False
    if predicate in REFLEXIVE and subject == obj:
        return False
    if obj in TRIVIAL_OBJECTS or obj == OWL.Nothing:
        return False
    if predicate == RDF.type and str(obj).startswith(str(XSD)):
        return False
    return True
