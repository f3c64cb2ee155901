"""The SHACL shapes (ontology/shapes.ttl): a valid fixture conforms, and each breaking case
gives exactly the problems expected of it.

Inferring a graph takes about a second (owlrl over the ontology), so the breaking cases are
not validated one by one: every case names its own nodes (akd:<case-id>...), all cases are
added to the fixture at once, and the combined graph is inferred and validated once. Each
case then checks the problems whose focus is one of its own nodes, and
test_no_problem_outside_the_cases makes sure the cases do not disturb the fixture or one
another.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import SH, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from kg.inference import infer
from kg.loading import find_inputs, parse_turtle
from kg.namespaces import curie
from kg.problems import Problem, show
from kg.validation import run_shacl

ROOT = Path(__file__).resolve().parents[1]
INPUTS = find_inputs(ROOT)
FIXTURE = ROOT / "tests" / "fixtures" / "minimal.ttl"
AKD = "https://w3id.org/alliance-kg/id/"

PREFIXES = """\
@prefix ak:      <https://w3id.org/alliance-kg/ontology#> .
@prefix akc:     <https://w3id.org/alliance-kg/concept/> .
@prefix akd:     <https://w3id.org/alliance-kg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema:  <https://schema.org/> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix wd:      <http://www.wikidata.org/entity/> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""
# A valid citation, written $CITE in the snippets below.
CITE = '[ ak:inSource akd:test-source ; ak:quote "a quote here" ]'

V, W, I = "violation", "warning", "info"
# The predicate of the error nodes owlrl adds when it finds the graph inconsistent.
DAML_ERROR = "http://www.daml.org/2002/03/agents/agent-ont#error"


@dataclass(frozen=True)
class Case:
    """Turtle that breaks the shapes, and the problems (severity, focus, path, shape) it gives.

    Its nodes are named akd:<id> or akd:<id>-...; `says` must appear in one problem's message.
    An inconsistency that inference reports has no focus of ours ("[]"): `inference_error`
    is a piece of its text, which tells which case it belongs to.
    """

    id: str
    snippet: str
    expected: set = field(default_factory=set)
    says: str = ""
    inference_error: str = ""

    @property
    def turtle(self) -> str:
        return self.snippet.replace("$CITE", CITE)

    def owns(self, problem: Problem) -> bool:
        """Whether the problem is about one of this case's nodes (or their citations)."""
        if problem.focus == "[]" and self.inference_error:
            return self.inference_error in problem.value
        return any(problem.focus == term or problem.focus.startswith(term + " ")
                   for term in owned_terms(self.turtle))


@functools.cache
def owned_terms(turtle: str) -> set[str]:
    """A case's own nodes and literals as problems show them (fixture nodes excluded)."""
    graph = Graph().parse(data=PREFIXES + turtle, format="turtle")
    terms = set()
    for triple in graph:
        for term in (triple[0], triple[2]):
            if isinstance(term, Literal) or (
                    isinstance(term, URIRef) and str(term).startswith(AKD)
                    and not str(term).startswith(AKD + "test-")):
                terms.add(show(term))
    return terms


# Bodies of a company, an agreement and a system that satisfy every shape, for cases to extend.
def company(label):
    return f'a ak:Company ; rdfs:label "{label}"@en ; ak:country akd:test-country-a ; ak:citation $CITE'


QUOTED = 'ak:inSource akd:test-source ; ak:quote "a quote here"'


def citing(label, citation):
    """A company whose one citation is `[ citation ]`."""
    return (f'a ak:Company ; rdfs:label "{label}"@en ; ak:country akd:test-country-a ; '
            f'ak:citation [ {citation} ]')


def agreement(label):
    return (f'a ak:Agreement ; rdfs:label "{label}"@en ; ak:agreementType akc:mou ; '
            'ak:party akd:test-country-a , akd:test-country-b ; ak:citation $CITE')


def system(label):
    return f'a ak:InterceptorMissile ; rdfs:label "{label}"@en ; ak:citation $CITE'


CASES = [
    # --- labels -----------------------------------------------------------------------
    Case("label-missing",
         "akd:label-missing a ak:Company ; ak:country akd:test-country-a ; ak:citation $CITE .",
         {(V, "akd:label-missing", "rdfs:label", "aks:LabelProperty")}),
    Case("label-two",
         f"akd:label-two {company('One')} ; rdfs:label \"Two\"@en .",
         {(V, "akd:label-two", "rdfs:label", "aks:LabelProperty")}),
    Case("label-plain",
         "akd:label-plain a ak:Company ; rdfs:label \"Plain\" ; ak:country akd:test-country-a ; "
         "ak:citation $CITE .",
         {(V, "akd:label-plain", "rdfs:label", "aks:LabelLanguageProperty")}),
    Case("altlabel-plain",
         f"akd:altlabel-plain {company('Alt')} ; skos:altLabel \"ALT\" .",
         {(V, "akd:altlabel-plain", "skos:altLabel", "aks:AltLabelLanguageProperty")}),
    # comments and notes without a tag once conformed (every one in the data has @en)
    Case("comment-plain",
         f"akd:comment-plain {company('Comment')} ; rdfs:comment \"A firm.\" .",
         {(V, "akd:comment-plain", "rdfs:comment", "aks:CommentLanguageProperty")}),
    Case("note-plain",
         f"akd:note-plain {company('Note')} ; skos:editorialNote \"Named once.\" .",
         {(V, "akd:note-plain", "skos:editorialNote", "aks:EditorialNoteLanguageProperty")}),

    # --- citations ----------------------------------------------------------------------
    Case("citation-no-source",
         "akd:citation-no-source " + citing('C1', 'ak:quote "a quote here"') + " .",
         {(V, "akd:citation-no-source ak:citation [...]", "ak:inSource",
           "aks:CitationSourceProperty")}),
    Case("citation-two-sources",
         "akd:citation-two-sources " + citing('C2', 'ak:inSource akd:test-source , '
         'akd:test-source-2 ; ak:quote "a quote here"') + " .",
         {(V, "akd:citation-two-sources ak:citation [...]", "ak:inSource",
           "aks:CitationSourceProperty")}),
    Case("citation-insource-literal",
         "akd:citation-insource-literal "
         + citing('C3', 'ak:inSource "Test Times" ; ak:quote "a quote here"') + " .",
         {(V, "akd:citation-insource-literal ak:citation [...]", "ak:inSource",
           "aks:InSourceClassProperty")}),
    # A misspelt source IRI becomes an ak:Source by inference, and fails the source shapes.
    Case("citation-insource-unknown",
         "akd:citation-insource-unknown " + citing('C4', 'ak:inSource '
         'akd:citation-insource-unknown-src ; ak:quote "a quote here"') + " .",
         {(V, "akd:citation-insource-unknown-src", "rdfs:label", "aks:LabelProperty"),
          (V, "akd:citation-insource-unknown-src", "dcterms:title", "aks:SourceTitleProperty"),
          (V, "akd:citation-insource-unknown-src", "dcterms:publisher",
           "aks:SourcePublisherProperty"),
          (V, "akd:citation-insource-unknown-src", "dcterms:creator",
           "aks:SourceCreatorProperty"),
          (V, "akd:citation-insource-unknown-src", "dcterms:date", "aks:SourceDateProperty"),
          (V, "akd:citation-insource-unknown-src", "ak:fileName",
           "aks:SourceFileNameProperty")}),
    Case("quote-missing",
         "akd:quote-missing " + citing('Q1', 'ak:inSource akd:test-source') + " .",
         {(V, "akd:quote-missing ak:citation [...]", "ak:quote", "aks:QuoteProperty")}),
    Case("quote-two",
         "akd:quote-two "
         + citing('Q2', 'ak:inSource akd:test-source ; ak:quote "the first one" , "the second one"') + " .",
         {(V, "akd:quote-two ak:citation [...]", "ak:quote", "aks:QuoteProperty")}),
    Case("quote-empty",
         "akd:quote-empty " + citing('Q3', 'ak:inSource akd:test-source ; ak:quote "  "') + " .",
         {(V, "akd:quote-empty ak:citation [...]", "ak:quote", "aks:QuoteNotEmptyProperty")}),
    Case("quote-long",
         "akd:quote-long "
         + citing('Q4', 'ak:inSource akd:test-source ; ak:quote "' + 'word ' * 61 + '"') + " .",
         {(W, "akd:quote-long ak:citation [...]", "ak:quote", "aks:QuoteLengthProperty")}),
    Case("quote-short",
         "akd:quote-short " + citing('Q6', 'ak:inSource akd:test-source ; ak:quote "the"') + " .",
         {(W, "akd:quote-short ak:citation [...]", "ak:quote", "aks:QuoteTooShortProperty")}),
    Case("quote-tagged",
         "akd:quote-tagged "
         + citing('Q5', 'ak:inSource akd:test-source ; ak:quote "a quote here"@en') + " .",
         {(V, "akd:quote-tagged ak:citation [...]", "ak:quote", "aks:QuoteDatatypeProperty")}),
    # ak:supports names a statement of the citing node: ak:country is one, ak:party is not
    Case("supports-stated",
         "akd:supports-stated " + citing('S1', QUOTED + ' ; ak:supports ak:country') + " ."),
    Case("supports-unstated",
         "akd:supports-unstated " + citing('S2', QUOTED + ' ; ak:supports ak:party') + " .",
         {(V, "akd:supports-unstated ak:citation [...]", "ak:supports",
           "aks:SupportedStatementShape")},
         says="states nothing with this property"),
    Case("mentions-literal",
         "akd:mentions-literal "
         + citing('M1', QUOTED + ' ; ak:mentions "Test Country A"') + " .",
         {(V, "akd:mentions-literal ak:citation [...]", "ak:mentions", "aks:MentionsProperty")}),
    # A literal citation is also a citation target: it has no source and no quote.
    Case("citation-literal",
         "akd:citation-literal a ak:Company ; rdfs:label \"C5\"@en ; "
         "ak:country akd:test-country-a ; ak:citation \"see Test Times\" .",
         {(V, "akd:citation-literal", "ak:citation", "aks:CitationValueProperty"),
          (V, '"see Test Times"', "ak:inSource", "aks:CitationSourceProperty"),
          (V, '"see Test Times"', "ak:quote", "aks:QuoteProperty")}),

    # --- which nodes must cite a source -------------------------------------------------
    Case("uncited-agreement",
         "akd:uncited-agreement a ak:Agreement ; rdfs:label \"U1\"@en ; "
         "ak:agreementType akc:mou ; ak:party akd:test-country-a , akd:test-country-b .",
         {(V, "akd:uncited-agreement", "ak:citation", "aks:CitationRequiredProperty")}),
    Case("uncited-system",
         "akd:uncited-system a ak:Sensor ; rdfs:label \"U2\"@en .",
         {(V, "akd:uncited-system", "ak:citation", "aks:CitationRequiredProperty")}),
    Case("uncited-grouping",
         "akd:uncited-grouping a ak:Partnership ; rdfs:label \"U3\"@en .",
         {(V, "akd:uncited-grouping", "ak:citation", "aks:CitationRequiredProperty"),
          (I, "akd:uncited-grouping", "ak:hasMember", "aks:GroupingMembersHintProperty")}),
    Case("uncited-company",
         "akd:uncited-company a ak:Company ; rdfs:label \"U4\"@en ; "
         "ak:country akd:test-country-a .",
         {(W, "akd:uncited-company", "ak:citation", "aks:CitationRecommendedProperty")}),
    Case("uncited-place",
         "akd:uncited-place a ak:Place ; rdfs:label \"U5\"@en .",
         {(W, "akd:uncited-place", "ak:citation", "aks:CitationRecommendedProperty")}),
    Case("uncited-country-is-fine",
         "akd:uncited-country-is-fine a ak:Country ; rdfs:label \"U6\"@en ; "
         "ak:iso3166Alpha2 \"QA\" ; skos:exactMatch wd:Q1100 .",
         set()),

    # --- countries ----------------------------------------------------------------------
    Case("country-code-missing",
         "akd:country-code-missing a ak:Country ; rdfs:label \"K1\"@en ; "
         "skos:exactMatch wd:Q1101 .",
         {(V, "akd:country-code-missing", "ak:iso3166Alpha2", "aks:CountryCodeProperty")}),
    Case("country-code-lower",
         "akd:country-code-lower a ak:Country ; rdfs:label \"K2\"@en ; "
         "ak:iso3166Alpha2 \"qb\" ; skos:exactMatch wd:Q1102 .",
         {(V, "akd:country-code-lower", "ak:iso3166Alpha2", "aks:CountryCodeProperty")}),
    Case("country-code-two",
         "akd:country-code-two a ak:Country ; rdfs:label \"K3\"@en ; "
         "ak:iso3166Alpha2 \"QC\" , \"QD\" ; skos:exactMatch wd:Q1103 .",
         {(V, "akd:country-code-two", "ak:iso3166Alpha2", "aks:CountryCodeProperty")}),
    Case("country-code-shared",
         "akd:country-code-shared-1 a ak:Country ; rdfs:label \"K4\"@en ; "
         "ak:iso3166Alpha2 \"QE\" ; skos:exactMatch wd:Q1104 .\n"
         "akd:country-code-shared-2 a ak:Country ; rdfs:label \"K5\"@en ; "
         "ak:iso3166Alpha2 \"QE\" ; skos:exactMatch wd:Q1105 .",
         {(V, "akd:country-code-shared-1", "ak:iso3166Alpha2", "aks:CountryCodeUniqueShape"),
          (V, "akd:country-code-shared-2", "ak:iso3166Alpha2", "aks:CountryCodeUniqueShape")},
         says="country-code-shared-2"),
    Case("country-wikidata-page",
         "akd:country-wikidata-page a ak:Country ; rdfs:label \"K6\"@en ; "
         "ak:iso3166Alpha2 \"QF\" ; skos:exactMatch <https://www.wikidata.org/wiki/Q17> .",
         {(V, "akd:country-wikidata-page", "skos:exactMatch", "aks:CountryWikidataProperty")}),
    Case("country-wikidata-missing",
         "akd:country-wikidata-missing a ak:Country ; rdfs:label \"K7\"@en ; "
         "ak:iso3166Alpha2 \"QG\" .",
         {(I, "akd:country-wikidata-missing", "skos:exactMatch",
           "aks:CountryWikidataHintProperty")}),

    # --- agents -------------------------------------------------------------------------
    Case("person-no-role",
         "akd:person-no-role a ak:Person ; rdfs:label \"P1\"@en ; "
         "ak:country akd:test-country-a ; ak:citation $CITE .",
         {(W, "akd:person-no-role", "ak:officialRole", "aks:PersonRoleProperty")}),
    Case("person-role-tagged",
         "akd:person-role-tagged a ak:Person ; rdfs:label \"P2\"@en ; "
         "ak:officialRole \"Minister\"@en ; ak:country akd:test-country-a ; ak:citation $CITE .",
         {(V, "akd:person-role-tagged", "ak:officialRole", "aks:OfficialRoleDatatypeProperty")}),
    Case("company-no-country",
         "akd:company-no-country a ak:Company ; rdfs:label \"A1\"@en ; ak:citation $CITE .",
         {(I, "akd:company-no-country", "ak:country", "aks:AgentCountryHintProperty")}),
    Case("company-country-literal",
         "akd:company-country-literal a ak:Company ; rdfs:label \"A2\"@en ; "
         "ak:country \"Testland\" ; ak:citation $CITE .",
         {(V, "akd:company-country-literal", "ak:country", "aks:CountryClassProperty")}),
    Case("company-hq-literal",
         f"akd:company-hq-literal {company('A3')} ; ak:headquarters \"Test City\" .",
         {(V, "akd:company-hq-literal", "ak:headquarters", "aks:HeadquartersClassProperty")}),

    # --- agreements ---------------------------------------------------------------------
    Case("agreement-one-party",
         "akd:agreement-one-party a ak:Agreement ; rdfs:label \"G1\"@en ; "
         "ak:agreementType akc:mou ; ak:party akd:test-country-a ; ak:citation $CITE .",
         {(V, "akd:agreement-one-party", "ak:participant", "aks:AgreementParticipantsProperty")}),
    Case("agreement-no-type",
         "akd:agreement-no-type a ak:Agreement ; rdfs:label \"G2\"@en ; "
         "ak:party akd:test-country-a , akd:test-country-b ; ak:citation $CITE .",
         {(V, "akd:agreement-no-type", "ak:agreementType", "aks:AgreementTypeProperty")}),
    # The class ak:Purchase implies ak:agreementType akc:purchase: two types.
    Case("agreement-two-types",
         f"akd:agreement-two-types {agreement('G3')} ; a ak:Purchase ; "
         "ak:buyer akd:test-country-a .",
         {(V, "akd:agreement-two-types", "ak:agreementType", "aks:AgreementTypeProperty")}),
    Case("agreement-type-not-in-scheme",
         "akd:agreement-type-not-in-scheme a ak:Agreement ; rdfs:label \"G4\"@en ; "
         "ak:agreementType akc:summit ; ak:party akd:test-country-a , akd:test-country-b ; "
         "ak:citation $CITE .",
         {(V, "akd:agreement-type-not-in-scheme", "ak:agreementType",
           "aks:AgreementTypeSchemeProperty")}),
    Case("participant-literal",
         f"akd:participant-literal {agreement('G5')} ; ak:party \"Otherland\" .",
         {(V, "akd:participant-literal", "ak:participant", "aks:ParticipantClassProperty")}),
    # A misspelt participant IRI becomes an ak:Agent by inference: no label, no citation.
    Case("participant-unknown",
         f"akd:participant-unknown {agreement('G6')} ; ak:party akd:participant-unknown-x .",
         {(V, "akd:participant-unknown-x", "rdfs:label", "aks:LabelProperty"),
          (W, "akd:participant-unknown-x", "ak:citation", "aks:CitationRecommendedProperty")}),
    Case("concerns-system-literal",
         f"akd:concerns-system-literal {agreement('G7')} ; ak:concernsSystem \"Aegis\" .",
         {(V, "akd:concerns-system-literal", "ak:concernsSystem",
           "aks:ConcernsSystemClassProperty")}),
    Case("duration-text",
         f"akd:duration-text {agreement('G8')} ; ak:duration \"10 years\" .",
         {(V, "akd:duration-text", "ak:duration", "aks:DurationDatatypeProperty")}),
    Case("date-plain",
         f"akd:date-plain {agreement('G9')} ; ak:date \"2015\" .",
         {(V, "akd:date-plain", "ak:date", "aks:DateDatatypeProperty")}),
    Case("date-invalid",
         f"akd:date-invalid {agreement('G10')} ; ak:date \"2015-13-45\"^^xsd:date .",
         {(V, "akd:date-invalid", "ak:date", "aks:DateDatatypeProperty"),
          (V, "[]", DAML_ERROR, "aks:InferenceErrorShape")},
         inference_error="'2015-13-45' does not match its datatype"),
    Case("purchase-no-buyer",
         "akd:purchase-no-buyer a ak:Purchase ; rdfs:label \"G11\"@en ; "
         "ak:supplier akd:test-country-a ; ak:party akd:test-country-b ; ak:citation $CITE .",
         {(W, "akd:purchase-no-buyer", "ak:buyer", "aks:BuyerProperty")}),
    Case("aid-no-funder",
         "akd:aid-no-funder a ak:AidPackage ; rdfs:label \"G12\"@en ; "
         "ak:recipient akd:test-country-a ; ak:party akd:test-country-b ; ak:citation $CITE .",
         {(W, "akd:aid-no-funder", "ak:funder", "aks:AidFunderProperty")}),
    Case("aid-no-recipient",
         "akd:aid-no-recipient a ak:AidPackage ; rdfs:label \"G13\"@en ; "
         "ak:funder akd:test-country-a ; ak:party akd:test-country-b ; ak:citation $CITE .",
         {(W, "akd:aid-no-recipient", "ak:recipient", "aks:AidRecipientProperty")}),

    # --- programs -----------------------------------------------------------------------
    Case("program-one-participant",
         "akd:program-one-participant a ak:CoDevelopmentProgram ; rdfs:label \"R1\"@en ; "
         "ak:developer akd:test-country-a ; ak:concernsSystem akd:test-system ; "
         "ak:citation $CITE .",
         {(V, "akd:program-one-participant", "ak:participant",
           "aks:ProgramParticipantsProperty"),
          (W, "akd:program-one-participant", "ak:developer", "aks:CoDevelopmentDevelopersProperty")}),
    # one party's own effort (Lockheed Martin's production of PAC-3) is a plain program
    Case("program-of-one-party",
         "akd:program-of-one-party a ak:Program ; rdfs:label \"R1b\"@en ; "
         "ak:producer akd:test-country-a ; ak:concernsSystem akd:test-system ; "
         "ak:citation $CITE .",
         set()),
    Case("program-no-system",
         "akd:program-no-system a ak:Program ; rdfs:label \"R2\"@en ; "
         "ak:funder akd:test-country-a , akd:test-country-b ; ak:citation $CITE .",
         {(W, "akd:program-no-system", "ak:concernsSystem", "aks:ProgramSystemProperty")}),
    Case("codevelopment-one-developer",
         "akd:codevelopment-one-developer a ak:CoDevelopmentProgram ; rdfs:label \"R3\"@en ; "
         "ak:developer akd:test-country-a ; ak:funder akd:test-country-b ; "
         "ak:concernsSystem akd:test-system ; ak:citation $CITE .",
         {(W, "akd:codevelopment-one-developer", "ak:developer",
           "aks:CoDevelopmentDevelopersProperty")}),
    Case("coproduction-one-producer",
         "akd:coproduction-one-producer a ak:CoProductionProgram ; rdfs:label \"R4\"@en ; "
         "ak:producer akd:test-country-a ; ak:buyer akd:test-country-b ; "
         "ak:concernsSystem akd:test-system ; ak:citation $CITE .",
         {(W, "akd:coproduction-one-producer", "ak:productionParticipant",
           "aks:CoProductionProducersProperty")}),
    Case("licensed-no-licensor",
         "akd:licensed-no-licensor a ak:LicensedProductionProgram ; rdfs:label \"R5\"@en ; "
         "ak:licensee akd:test-country-a ; ak:producer akd:test-company ; "
         "ak:concernsSystem akd:test-system ; ak:citation $CITE .",
         {(W, "akd:licensed-no-licensor", "ak:licensor", "aks:LicensorProperty")}),
    Case("licensed-no-licensee",
         "akd:licensed-no-licensee a ak:LicensedProductionProgram ; rdfs:label \"R6\"@en ; "
         "ak:licensor akd:test-country-a ; ak:producer akd:test-company ; "
         "ak:concernsSystem akd:test-system ; ak:citation $CITE .",
         {(W, "akd:licensed-no-licensee", "ak:licensee", "aks:LicenseeProperty")}),
    Case("procurement-no-buyer",
         "akd:procurement-no-buyer a ak:ProcurementProgram ; rdfs:label \"R7\"@en ; "
         "ak:supplier akd:test-country-a ; ak:funder akd:test-country-b ; "
         "ak:concernsSystem akd:test-system ; ak:citation $CITE .",
         {(W, "akd:procurement-no-buyer", "ak:buyer", "aks:BuyerProperty")}),
    Case("program-dates-text",
         "akd:program-dates-text a ak:Program ; rdfs:label \"R8\"@en ; "
         "ak:developer akd:test-country-a , akd:test-country-b ; "
         "ak:concernsSystem akd:test-system ; ak:startDate \"2006\" ; "
         "ak:endDate \"2017-01-01T00:00:00\"^^xsd:dateTime ; ak:citation $CITE .",
         {(V, "akd:program-dates-text", "ak:startDate", "aks:StartDateDatatypeProperty"),
          (V, "akd:program-dates-text", "ak:endDate", "aks:EndDateDatatypeProperty")}),
    Case("program-status-not-in-scheme",
         "akd:program-status-not-in-scheme a ak:Program ; rdfs:label \"R9\"@en ; "
         "ak:developer akd:test-country-a , akd:test-country-b ; "
         "ak:concernsSystem akd:test-system ; ak:status akc:mou ; ak:citation $CITE .",
         {(V, "akd:program-status-not-in-scheme", "ak:status", "aks:StatusSchemeProperty"),
          # a status without the date it held (9 shipped facts had none)
          (W, "akd:program-status-not-in-scheme", "ak:asOf", "aks:StatusAsOfProperty")}),
    Case("program-part-of-literal",
         "akd:program-part-of-literal a ak:Program ; rdfs:label \"R10\"@en ; "
         "ak:developer akd:test-country-a , akd:test-country-b ; "
         "ak:concernsSystem akd:test-system ; ak:partOf \"the MoU\" ; ak:citation $CITE .",
         {(V, "akd:program-part-of-literal", "ak:partOf", "aks:PartOfClassProperty")}),

    # --- events -------------------------------------------------------------------------
    Case("event-no-type",
         "akd:event-no-type a ak:Event ; rdfs:label \"E1\"@en ; ak:date \"2017\"^^xsd:gYear ; "
         "ak:citation $CITE .",
         {(V, "akd:event-no-type", "ak:eventType", "aks:EventTypeProperty")}),
    Case("event-type-not-in-scheme",
         "akd:event-type-not-in-scheme a ak:Event ; rdfs:label \"E2\"@en ; "
         "ak:eventType akc:mou ; ak:date \"2017\"^^xsd:gYear ; ak:citation $CITE .",
         {(V, "akd:event-type-not-in-scheme", "ak:eventType", "aks:EventTypeSchemeProperty")}),
    Case("event-two-dates",
         "akd:event-two-dates a ak:Summit ; rdfs:label \"E3\"@en ; "
         "ak:date \"2017\"^^xsd:gYear , \"2018\"^^xsd:gYear ; ak:citation $CITE .",
         {(V, "akd:event-two-dates", "ak:date", "aks:OneDateProperty")}),
    # only events were checked: a second date on an agreement conformed
    Case("agreement-two-dates",
         "akd:agreement-two-dates a ak:Agreement ; rdfs:label \"A9\"@en ; ak:agreementType akc:mou ; "
         "ak:party akd:test-country-a , akd:test-country-b ; "
         "ak:date \"1999\"^^xsd:gYear , \"2000\"^^xsd:gYear ; ak:citation $CITE .",
         {(V, "akd:agreement-two-dates", "ak:date", "aks:OneDateProperty")}),
    Case("event-no-date",
         "akd:event-no-date a ak:Summit ; rdfs:label \"E4\"@en ; ak:citation $CITE .",
         {(W, "akd:event-no-date", "ak:date|ak:startDate", "aks:EventDateMissingProperty")}),
    # a series with a start date was warned that it had no ak:date
    Case("event-series-since",
         "akd:event-series-since a ak:Exercise ; rdfs:label \"E4b\"@en ; "
         "ak:startDate \"2001\"^^xsd:gYear ; ak:citation $CITE .",
         set()),
    Case("event-places-literal",
         "akd:event-places-literal a ak:Attack ; rdfs:label \"E5\"@en ; "
         "ak:date \"2024-04-13\"^^xsd:date ; ak:location \"Tel Aviv\" ; ak:target \"Israel\" ; "
         "ak:citation $CITE .",
         {(V, "akd:event-places-literal", "ak:location", "aks:LocationClassProperty"),
          (V, "akd:event-places-literal", "ak:target", "aks:TargetClassProperty")}),
    Case("deployment-bare",
         "akd:deployment-bare a ak:Deployment ; rdfs:label \"E6\"@en ; "
         "ak:date \"2017\"^^xsd:gYear ; ak:citation $CITE .",
         {(W, "akd:deployment-bare", "ak:operator", "aks:DeploymentOperatorProperty"),
          (W, "akd:deployment-bare", "ak:concernsSystem", "aks:DeploymentSystemProperty")}),
    Case("place-located-in-literal",
         "akd:place-located-in-literal a ak:Place ; rdfs:label \"E7\"@en ; "
         "ak:locatedIn \"Testland\" ; ak:citation $CITE .",
         {(V, "akd:place-located-in-literal", "ak:locatedIn", "aks:LocatedInClassProperty")}),

    # --- memberships --------------------------------------------------------------------
    Case("membership-two-members",
         "akd:membership-two-members a ak:Membership ; rdfs:label \"M1\"@en ; "
         "ak:member akd:test-country-a , akd:test-country-b ; "
         "ak:organization akd:test-alliance ; ak:citation $CITE .",
         {(V, "akd:membership-two-members", "ak:member", "aks:MembershipMemberProperty")}),
    Case("membership-no-organization",
         "akd:membership-no-organization a ak:Membership ; rdfs:label \"M2\"@en ; "
         "ak:member akd:test-country-a ; ak:citation $CITE .",
         {(V, "akd:membership-no-organization", "ak:organization",
           "aks:MembershipOrganizationProperty")}),
    Case("membership-literals",
         "akd:membership-literals a ak:Membership ; rdfs:label \"M3\"@en ; "
         "ak:member \"Testland\" ; ak:organization \"Test Alliance\" ; ak:citation $CITE .",
         {(V, "akd:membership-literals", "ak:member", "aks:MemberClassProperty"),
          (V, "akd:membership-literals", "ak:organization", "aks:OrganizationClassProperty")}),

    # --- holdings -----------------------------------------------------------------------
    Case("holding-bare",
         "akd:holding-bare a ak:Holding ; rdfs:label \"H1\"@en ; ak:citation $CITE .",
         {(V, "akd:holding-bare", "ak:operator", "aks:HoldingOperatorProperty"),
          (V, "akd:holding-bare", "ak:concernsSystem", "aks:HoldingSystemProperty"),
          (V, "akd:holding-bare", "ak:asOf", "aks:HoldingAsOfProperty"),
          (V, "akd:holding-bare", "", "aks:HoldingQuantityShape")}),
    Case("holding-two-operators",
         "akd:holding-two-operators a ak:Holding ; rdfs:label \"H2\"@en ; "
         "ak:operator akd:test-country-a , akd:test-country-b ; "
         "ak:concernsSystem akd:test-ship ; ak:asOf \"2024\"^^xsd:gYear ; "
         "ak:minimumQuantity \"2\"^^xsd:nonNegativeInteger ; ak:citation $CITE .",
         {(V, "akd:holding-two-operators", "ak:operator", "aks:HoldingOperatorProperty")}),
    Case("holding-bad-values",
         "akd:holding-bad-values a ak:Holding ; rdfs:label \"H3\"@en ; "
         "ak:operator akd:test-country-a ; ak:concernsSystem akd:test-ship ; "
         "ak:asOf \"May 2024\" ; ak:quantity 8 ; ak:minimumQuantity \"more than 8\" ; "
         "ak:unit \"ship\"@en ; ak:approximate \"around\" ; ak:citation $CITE .",
         {(V, "akd:holding-bad-values", "ak:asOf", "aks:AsOfDatatypeProperty"),
          (V, "akd:holding-bad-values", "ak:approximate", "aks:ApproximateDatatypeProperty"),
          (V, "akd:holding-bad-values", "ak:quantity", "aks:QuantityDatatypeProperty"),
          (V, "akd:holding-bad-values", "ak:minimumQuantity",
           "aks:MinimumQuantityDatatypeProperty"),
          (V, "akd:holding-bad-values", "ak:unit", "aks:UnitDatatypeProperty")}),

    # --- money figures ------------------------------------------------------------------
    Case("figure-bare",
         "akd:figure-bare a ak:MonetaryFigure ; rdfs:label \"F1\"@en ; ak:citation $CITE .",
         {(V, "akd:figure-bare", "", "aks:FigureMeasureShape"),
          (V, "akd:figure-bare", "ak:figureType", "aks:FigureTypeProperty")}),
    Case("figure-share-only",  # "nearly 10% of the Pentagon's budget": no amount, no currency
         "akd:figure-share-only a ak:MonetaryFigure ; rdfs:label \"F8\"@en ; "
         "ak:share 0.1 ; ak:figureType akc:aid ; ak:citation $CITE .",
         set()),
    Case("figure-amount-without-currency",
         "akd:figure-amount-without-currency a ak:MonetaryFigure ; rdfs:label \"F7\"@en ; "
         "ak:amount 5.0 , 6.0 ; ak:figureType akc:aid ; ak:citation $CITE .",
         {(V, "akd:figure-amount-without-currency", "ak:amount", "aks:FigureAmountProperty"),
          (V, "akd:figure-amount-without-currency", "ak:currency",
           "aks:FigureCurrencyProperty")}),
    Case("figure-integer-amount",
         "akd:figure-integer-amount a ak:MonetaryFigure ; rdfs:label \"F2\"@en ; "
         "ak:amount 5 ; ak:currency \"USD\" ; ak:figureType akc:aid ; ak:citation $CITE .",
         {(V, "akd:figure-integer-amount", "ak:amount", "aks:AmountDatatypeProperty")}),
    Case("figure-negative-amount",
         "akd:figure-negative-amount a ak:MonetaryFigure ; rdfs:label \"F3\"@en ; "
         "ak:amount -5.0 ; ak:currency \"USD\" ; ak:figureType akc:aid ; ak:citation $CITE .",
         {(V, "akd:figure-negative-amount", "ak:amount", "aks:AmountNonNegativeProperty")}),
    Case("figure-bad-currency",
         "akd:figure-bad-currency a ak:MonetaryFigure ; rdfs:label \"F4\"@en ; "
         "ak:amount 5.0 ; ak:currency \"usd\" ; ak:figureType akc:aid ; ak:citation $CITE .",
         {(V, "akd:figure-bad-currency", "ak:currency", "aks:CurrencyProperty")}),
    Case("figure-type-not-in-scheme",
         "akd:figure-type-not-in-scheme a ak:MonetaryFigure ; rdfs:label \"F5\"@en ; "
         "ak:amount 5.0 ; ak:currency \"USD\" ; ak:figureType akc:aid-package ; "
         "ak:citation $CITE .",
         {(V, "akd:figure-type-not-in-scheme", "ak:figureType",
           "aks:FigureTypeSchemeProperty")}),
    Case("figure-share-percent",
         "akd:figure-share-percent a ak:MonetaryFigure ; rdfs:label \"F6\"@en ; "
         "ak:amount 5.0 ; ak:currency \"USD\" ; ak:figureType akc:aid ; ak:share 18.0 ; "
         "ak:citation $CITE .",
         {(V, "akd:figure-share-percent", "ak:share", "aks:ShareRangeProperty")}),
    Case("figure-share-double",
         "akd:figure-share-double a ak:MonetaryFigure ; rdfs:label \"F7\"@en ; "
         "ak:amount 5.0 ; ak:currency \"USD\" ; ak:figureType akc:aid ; ak:share 1.8e-1 ; "
         "ak:citation $CITE .",
         {(V, "akd:figure-share-double", "ak:share", "aks:ShareDatatypeProperty"),
          (V, "[]", DAML_ERROR, "aks:InferenceErrorShape")},
         inference_error="common individual 0.18"),
    Case("figure-about-literal",
         "akd:figure-about-literal a ak:MonetaryFigure ; rdfs:label \"F8\"@en ; "
         "ak:amount 5.0 ; ak:currency \"USD\" ; ak:figureType akc:aid ; "
         "ak:about \"the program\" ; ak:citation $CITE .",
         {(V, "akd:figure-about-literal", "ak:about", "aks:AboutClassProperty")}),

    # --- defense systems ----------------------------------------------------------------
    Case("system-concepts-not-in-schemes",
         f"akd:system-concepts-not-in-schemes {system('S1')} ; ak:counters akc:upper-tier ; "
         "ak:flightPhase akc:drone ; ak:defenseTier akc:terminal-phase .",
         {(V, "akd:system-concepts-not-in-schemes", "ak:counters", "aks:CountersSchemeProperty"),
          (V, "akd:system-concepts-not-in-schemes", "ak:flightPhase",
           "aks:FlightPhaseSchemeProperty"),
          (V, "akd:system-concepts-not-in-schemes", "ak:defenseTier",
           "aks:DefenseTierSchemeProperty")}),
    Case("system-basing-unknown",
         f"akd:system-basing-unknown {system('S2')} ; ak:basing \"underwater\" .",
         {(V, "akd:system-basing-unknown", "ak:basing", "aks:BasingProperty")}),
    Case("system-links-literal",
         f"akd:system-links-literal {system('S3')} ; ak:variantOf \"TX-1\" ; "
         "ak:component \"a radar\" ; ak:originCountry \"Testland\" .",
         {(V, "akd:system-links-literal", "ak:variantOf", "aks:VariantOfClassProperty"),
          (V, "akd:system-links-literal", "ak:component", "aks:ComponentClassProperty"),
          (V, "akd:system-links-literal", "ak:originCountry",
           "aks:OriginCountryClassProperty")}),
    Case("system-disputed-literal",
         f"akd:system-disputed-literal {system('S4')} ; ak:disputedBy \"another source\" .",
         {(V, "akd:system-disputed-literal", "ak:disputedBy", "aks:DisputedByClassProperty")}),

    # --- sources ------------------------------------------------------------------------
    Case("source-bare",
         "akd:source-bare a ak:Source ; rdfs:label \"B1\"@en .",
         {(V, "akd:source-bare", "dcterms:title", "aks:SourceTitleProperty"),
          (V, "akd:source-bare", "dcterms:publisher", "aks:SourcePublisherProperty"),
          (V, "akd:source-bare", "dcterms:creator", "aks:SourceCreatorProperty"),
          (V, "akd:source-bare", "dcterms:date", "aks:SourceDateProperty"),
          (V, "akd:source-bare", "ak:fileName", "aks:SourceFileNameProperty")}),
    Case("source-bad-values",
         "akd:source-bad-values a ak:Source ; rdfs:label \"B2\"@en ; "
         "dcterms:title \"T\"@en ; dcterms:publisher \"P\" , \"Q\" ; dcterms:creator \"C\" ; "
         "dcterms:date \"May 2024\" ; ak:fileName \"f.txt\" ; ak:dateNote \"a note\"@en .",
         {(V, "akd:source-bad-values", "dcterms:title", "aks:SourceTitleProperty"),
          (V, "akd:source-bad-values", "dcterms:publisher", "aks:SourcePublisherProperty"),
          (V, "akd:source-bad-values", "dcterms:date", "aks:SourceDateProperty"),
          (V, "akd:source-bad-values", "ak:dateNote", "aks:DateNoteDatatypeProperty")}),
    Case("system-two-date-notes",  # the timeline shows one note a row
         f"akd:system-two-date-notes {system('B3')} ; ak:dateNote \"one\" , \"two\" .",
         {(V, "akd:system-two-date-notes", "ak:dateNote", "aks:DateNoteCountProperty")}),

    # --- undeclared terms ---------------------------------------------------------------
    Case("undeclared-predicate",
         f"akd:undeclared-predicate {company('D1')} ; ak:employs 5000 .",
         {(V, "akd:undeclared-predicate", "ak:employs", "aks:DeclaredPredicatesShape")},
         says="ak:employs"),
    Case("undeclared-foreign-predicate",
         f"akd:undeclared-foreign-predicate {company('D2')} ; schema:name \"D2\" .",
         {(V, "akd:undeclared-foreign-predicate", "schema:name",
           "aks:DeclaredPredicatesShape")},
         says="schema:name"),
    Case("undeclared-predicate-in-citation",
         "akd:undeclared-predicate-in-citation a ak:Company ; rdfs:label \"D3\"@en ; "
         "ak:country akd:test-country-a ; ak:citation [ ak:inSource akd:test-source ; "
         "ak:quote \"a quote here\" ; ak:page \"3\" ] .",
         {(V, "akd:undeclared-predicate-in-citation ak:citation [...]", "ak:page",
           "aks:DeclaredPredicatesShape")},
         says="ak:page"),
    Case("undeclared-class",
         f"akd:undeclared-class {company('D4')} ; a ak:Contractor .",
         {(V, "akd:undeclared-class", "rdf:type", "aks:DeclaredClassesShape")},
         says="ak:Contractor"),
]


# --- the one helper that validates ------------------------------------------------------

@pytest.fixture(scope="module")
def shapes() -> Graph:
    return parse_turtle([INPUTS.shapes_file])


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return parse_turtle(INPUTS.ontology_files)


def problems_with(ontology: Graph, shapes: Graph, *snippets: str) -> list[Problem]:
    """Validate ontology + fixture + snippets, inferred as kg does; the problems found."""
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    parse_turtle([FIXTURE], graph)
    for snippet in snippets:
        graph.parse(data=PREFIXES + snippet, format="turtle")
    return run_shacl(infer(graph), shapes).problems


@pytest.fixture(scope="module")
def case_problems(ontology, shapes) -> list[Problem]:
    return problems_with(ontology, shapes, *(case.turtle for case in CASES))


# The constraint parameters the shapes use (a shape without any only groups others).
CONSTRAINTS = {SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.node, SH.pattern,
               SH["in"], SH["or"], SH.hasValue, SH.nodeKind, SH.minLength, SH.maxLength,
               SH.minInclusive, SH.maxInclusive, SH.sparql}


def key(problem: Problem) -> tuple:
    return (problem.severity, problem.focus, problem.path, problem.shape)


# --- tests -------------------------------------------------------------------------------

def test_fixture_conforms(ontology, shapes):
    assert problems_with(ontology, shapes) == []


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_gives_exactly_the_expected_problems(case, case_problems):
    mine = [p for p in case_problems if case.owns(p)]
    assert {key(p) for p in mine} == case.expected
    for problem in mine:  # our "what is wrong: what to do." rather than pyshacl's own text
        assert ": " in problem.message and problem.message.endswith("."), problem
    if case.says:
        assert any(case.says in p.message for p in mine), [p.message for p in mine]


def test_no_problem_outside_the_cases(case_problems):
    stray = [p for p in case_problems if not any(case.owns(p) for case in CASES)]
    assert stray == []


def test_cases_have_their_own_nodes():
    assert len({case.id for case in CASES}) == len(CASES)
    seen: dict[str, str] = {}
    for case in CASES:
        for term in owned_terms(case.turtle):
            if term.startswith("akd:"):
                assert term.startswith(f"akd:{case.id}"), f"{case.id} names {term}"
                assert seen.setdefault(term, case.id) == case.id, term


def test_every_targeted_shape_has_a_case(shapes):
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
    targeted = {s for t in targets for s in shapes.subjects(t, None)}
    targeted |= {p for s in targeted for p in shapes.objects(s, SH.property)}
    named = {curie(str(s)) for s in targeted
             if isinstance(s, URIRef) and any(p in CONSTRAINTS for p in shapes.predicates(s))}
    covered = {shape for case in CASES for (_, _, _, shape) in case.expected}
    assert named - covered == set()
    assert covered - named == set()


def test_every_constraint_has_a_message(shapes):
    in_lists = {member for lst in shapes.objects(None, SH["or"])
                for member in Collection(shapes, lst)}
    constrained = {s for p in CONSTRAINTS - {SH.sparql} for s in shapes.subjects(p, None)}
    constrained = constrained - in_lists
    constrained |= set(shapes.subjects(RDF.type, SH.SPARQLConstraint))
    missing = [show(s) for s in constrained if shapes.value(s, SH.message) is None]
    assert missing == []


def test_shapes_pass_shacl_shacl(shapes):
    import pyshacl

    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True,
                                         inference="none", advanced=True)
    assert conforms, text
