"""The ontology documents every term, stays in OWL 2 RL, and its concepts sit in schemes."""

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from kg.loading import find_inputs, parse_turtle
from kg.namespaces import AK, AKC

# OWL constructs the ontology may use: all inside OWL 2 RL (no owl:someValuesFrom on the
# superclass side, no cardinalities above 1, no owl:unionOf superclasses, ...).
ALLOWED_OWL = {OWL.Ontology, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
               OWL.AnnotationProperty, OWL.TransitiveProperty, OWL.Restriction, OWL.onProperty,
               OWL.hasValue, OWL.equivalentClass, OWL.inverseOf, OWL.propertyChainAxiom,
               OWL.versionInfo, OWL.disjointWith}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return parse_turtle(find_inputs().ontology_files)


def own_terms(graph, namespace):
    return sorted({s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(namespace)
                   and str(s) != namespace})


def test_every_class_and_property_has_a_label_and_a_definition(ontology):
    terms = own_terms(ontology, AK)
    assert len(terms) > 90
    undocumented = [t for t in terms if not (ontology.value(t, RDFS.label)
                                             and ontology.value(t, SKOS.definition))]
    assert undocumented == []


def test_every_concept_has_a_label_a_definition_and_a_scheme(ontology):
    concepts = set(ontology.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) >= 30
    for concept in concepts:
        assert str(concept).startswith(AKC)
        assert ontology.value(concept, SKOS.prefLabel) and ontology.value(concept, SKOS.definition)
        assert ontology.value(concept, SKOS.inScheme) in set(ontology.subjects(RDF.type, SKOS.ConceptScheme))


@pytest.mark.parametrize("scheme, concepts", [
    ("threats", {"ballistic-missile", "short-range-ballistic-missile", "medium-range-ballistic-missile",
                 "intermediate-range-ballistic-missile", "intercontinental-ballistic-missile",
                 "cruise-missile", "hypersonic-missile", "hypersonic-glide-vehicle", "drone", "rocket"}),
    ("flight-phases", {"boost-phase", "midcourse-phase", "glide-phase", "terminal-phase"}),
    ("defense-tiers", {"upper-tier", "lower-tier"}),
])
def test_concept_schemes(ontology, scheme, concepts):
    members = {str(c)[len(AKC):] for c in ontology.subjects(SKOS.inScheme, URIRef(AKC + scheme))}
    assert members == concepts


def test_only_owl_2_rl_constructs(ontology):
    used = {term for triple in ontology for term in triple
            if isinstance(term, URIRef) and str(term).startswith(str(OWL))}
    assert used - ALLOWED_OWL == set()


def test_every_agreement_and_event_kind_is_equivalent_to_its_concept(ontology):
    for base, prop in ((AK + "Agreement", AK + "agreementType"), (AK + "Event", AK + "eventType")):
        kinds = set(ontology.subjects(RDFS.subClassOf, URIRef(base)))
        assert len(kinds) >= 6
        for kind in kinds:
            restriction = ontology.value(kind, OWL.equivalentClass)
            assert ontology.value(restriction, OWL.onProperty) == URIRef(prop), kind


def test_reused_vocabularies_are_linked_not_copied(ontology):
    def parents(term, relation):
        return {str(p) for p in ontology.objects(URIRef(AK + term), relation)}

    assert "http://www.w3.org/ns/org#Organization" in parents("Organization", RDFS.subClassOf)
    assert "http://www.w3.org/ns/prov#Activity" in parents("Event", RDFS.subClassOf)
    assert "http://www.w3.org/ns/prov#wasDerivedFrom" in parents("citesSource", RDFS.subPropertyOf)
    assert "http://purl.org/dc/terms/date" in parents("date", RDFS.subPropertyOf)
    assert "https://schema.org/Country" in parents("Country", RDFS.subClassOf)


def test_shapes_pass_shacl_shacl():
    import pyshacl

    shapes = parse_turtle([find_inputs().shapes_file])
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text
