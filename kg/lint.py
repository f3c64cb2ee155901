"""Checks beyond SHACL core for what curators actually get wrong.

Each check reads the inferred graph (rdflib) and looks only at the given subjects (the
candidate's, or all curated ones): an undeclared predicate, class or ak:supports value (a
typo, with the nearest declared names), an ill-typed literal, an IRI outside the
project's namespaces where a project entity is expected, a link to a project node nothing
describes (a mistyped name), statements about an akd: node that has no class (a mistyped
subject), a language tag other than @en, a label that already names another entity, a
node linked to itself (directly or around a chain of ak:variantOf), a statement that puts
a node in two disjoint classes (a company linked as a country), a date property whose
value is not a date (with the date it spells, where it spells one), a future date on an
event that is not planned, an end date before its start, a citation of something that
is not a source, a citation written twice, a quote with line breaks or runs of spaces or
of more than one sentence, and a quote missing from its source text.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import functools
import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef

from kg.catalog import label_key
from kg.loading import read_utf8, refuse_pipe
from kg.namespaces import AK, AKC, AKD, Names, curie, local_name
from kg.problems import Problem, clues_of, describe_node, show

PROJECT = (AKD, AKC)
CITATION_LINKS = (URIRef(AK + "citation"), URIRef(AK + "disputedBy"))
SOURCE, CITATION = URIRef(AK + "Source"), URIRef(AK + "Citation")
IN_SOURCE, QUOTE = URIRef(AK + "inSource"), URIRef(AK + "quote")
SUPPORTS = URIRef(AK + "supports")
FILE_NAME = URIRef(AK + "fileName")
# RDF, RDFS and OWL terms need no declaration in the ontology; rdflib knows each
# vocabulary's terms, so a name outside them (rdfs:lable, rdf:typ) is still a typo.
BUILT_IN_VOCABULARIES = (RDF, RDFS, OWL)
BUILT_IN_PROPERTIES = {term for vocabulary in BUILT_IN_VOCABULARIES for term in dir(vocabulary)
                       if local_name(term)[:1].islower()}  # the nearest names to offer: not classes
# What makes schema, not facts: it changes what is inferred of every node of a class, where
# a candidate is validated on the nodes it touches. owl:sameAs and owl:differentFrom are facts.
SCHEMA_PROPERTIES = frozenset({RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range}
                              | {term for term in dir(OWL) if local_name(term)[:1].islower()}
                              ) - {OWL.sameAs, OWL.differentFrom}
# rdflib's namespaces look each attribute up anew (a microsecond): the hot ones, once.
RDF_TYPE = RDF.type
LABELS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
# The date properties, whose values must be one of DATE_TYPES. The shapes say so too, for
# other SHACL engines, but kg skips those shapes (kg.validation.SUPERSEDED_BY_LINT): lint
# can say which type a value needs, and pyshacl builds a whole result for each failing
# alternative of their sh:or, two for every date (an eighth of the time of validation).
DATE_PROPERTIES = tuple(URIRef(AK + name) for name in ("date", "startDate", "endDate", "asOf"))
DATE_TYPES = (XSD.date, XSD.gYearMonth, XSD.gYear)
START_DATE, END_DATE = URIRef(AK + "startDate"), URIRef(AK + "endDate")
# A full stop, question or exclamation mark (and a closing quote or bracket) followed by
# a space and the capital letter or digit that begins the next sentence.
SENTENCE_END = re.compile(r"(?<!\S)(\S*?)([.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "cmdr",
                 "sen", "rep", "gov", "prof", "rev", "hon", "st", "jr", "sr", "no", "vs", "etc",
                 "inc", "co", "corp", "ltd", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
                 "sep", "sept", "oct", "nov", "dec"}
INITIALS = re.compile(r"(?:^|\.)[A-Za-z]$")  # J. Smith, U.S. Navy
# A Markdown link in a source text, [words](target): the article itself shows only the words.
# A link's text and address, bounded and on one line: unbounded, a source text of 100 KB
# of `[` took 49 s to read, each `[` scanned to the end of the text.
MARKDOWN_LINK = re.compile(r"\[((?:[^\[\]\n\\]|\\.){0,1000})\]\([^)\n]{0,2000}\)")
# A Markdown backslash escape of an ASCII punctuation mark: the article shows "$431" for
# "\$431", "[12]" for "\[12\]" (Turtle allows no "\$" in a quote: it could not be copied).
MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
TYPOGRAPHIC_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})

# Lexical spaces of the XSD datatypes the data uses (XML Schema 1.1 part 2); a value must
# also be a real calendar date where the type has one.
YEAR = r"-?(?:[1-9]\d{3,}|0\d{3})"
TIMEZONE = r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
LEXICAL = {
    XSD.date: YEAR + r"-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])" + TIMEZONE,
    XSD.gYearMonth: YEAR + r"-(?:0[1-9]|1[0-2])" + TIMEZONE,
    XSD.gYear: YEAR + TIMEZONE,
    XSD.dateTime: YEAR + r"-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?" + TIMEZONE,
    XSD.integer: r"[+-]?\d+",
    XSD.nonNegativeInteger: r"\+?\d+|-0+",
    XSD.positiveInteger: r"\+?0*[1-9]\d*",
    XSD.decimal: r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)",
    XSD.double: r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF)|NaN",
    XSD.boolean: r"true|false|1|0",
    XSD.duration: r"-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?",
}


def asserted_statements(asserted: Iterable[tuple], subjects: Iterable) -> dict:
    """What `lint` reads of the asserted triples: each subject's (predicate, object) pairs."""
    statements: dict = {subject: {} for subject in subjects}
    for subject, predicate, obj in asserted:
        if subject in statements:
            statements[subject][predicate, obj] = None  # a dict: ordered, without repeats
    return {subject: list(pairs) for subject, pairs in statements.items()}


def lint(asserted: dict, inferred: Graph, subjects: Iterable, sources: Path | None = None,
         labels: dict | None = None, *, holders: dict) -> list[Problem]:
    """The problems of the given subjects (IRIs or blank nodes).

    Terms, literals and namespaces are checked in what was asserted (`asserted` maps each
    subject to its asserted (predicate, object) pairs: see `asserted_statements`); types,
    labels and dates in the inferred graph (which also holds the ontology). `labels` maps
    each case-folded label to the nodes it names, when the graph holds only part of them.
    `holders` is `kg.problems.holders_of(asserted)`, which SHACL's messages use too.
    """
    subjects = set(subjects)
    checks = Checks(asserted, inferred, sources, dt.date.today(), labels, holders, subjects)
    problems = []
    for subject in sorted(subjects, key=str):
        problems += checks.terms(subject)
        problems += checks.literals(subject)
        problems += checks.namespaces(subject)
        problems += checks.schema(subject)
        problems += checks.references(subject)
        problems += checks.untyped(subject)
        problems += checks.labels(subject)
        problems += checks.cycles(subject)
        problems += checks.disjoint_classes(subject)
        problems += checks.unexpected_classes(subject)
        problems += checks.date_types(subject)
        problems += checks.dates(subject)
        problems += checks.date_order(subject)
        problems += checks.cited_sources(subject)
        problems += checks.repeated_citations(subject)
        problems += checks.quote_spacing(subject)
        problems += checks.quote_sentences(subject)
        problems += checks.quotes(subject)
    return problems


class Checks:
    def __init__(self, asserted: dict, graph: Graph, sources: Path | None, today: dt.date,
                 labels: dict | None, holders: dict, linted: set):
        self.asserted_statements = asserted
        self.linted = linted
        self.holders = holders
        self.graph = graph
        self.sources = sources
        self.today = today
        self.properties = {p for kind in PROPERTY_KINDS for p in graph.subjects(RDF_TYPE, kind)}
        self.classes = set(graph.subjects(RDF_TYPE, OWL.Class)) | set(graph.subjects(RDF_TYPE, RDFS.Class))
        self.object_properties = {p for p in graph.subjects(RDF_TYPE, OWL.ObjectProperty)
                                  if str(p).startswith(AK)}
        self.transitive = set(graph.subjects(RDF_TYPE, OWL.TransitiveProperty))
        self.disjoint = {frozenset(pair) for pair in graph.subject_objects(OWL.disjointWith)}
        self.ranges = inherited(graph, RDFS.range)
        self.domains = inherited(graph, RDFS.domain)
        self.types: dict = {}
        self.by_predicate: dict = {}
        self.clashes: dict = {}
        self.disjoint_sets: dict = {}
        self.declared: dict = {}
        self.kinds_of_cited: dict = {}
        self.source_texts: dict[str, str | None] = {}
        self.named_by: dict[str, set] = labels if labels is not None else {}
        if labels is None:
            for predicate in LABELS:
                for node, label in graph.subject_objects(predicate):
                    if isinstance(node, URIRef) and str(node).startswith(PROJECT):
                        self.named_by.setdefault(label_key(label), set()).add(node)
        self.known = set().union(*self.named_by.values())
        self.source_classes = set(self.graph.transitive_subjects(RDFS.subClassOf, SOURCE))

    # What a typo is told it may mean; made only when there is a typo.
    @functools.cached_property
    def predicate_names(self) -> Names:
        return Names(self.properties | BUILT_IN_PROPERTIES)

    @functools.cached_property
    def property_names(self) -> Names:
        return Names(self.properties)

    @functools.cached_property
    def class_names(self) -> Names:
        return Names(self.classes)

    @functools.cached_property
    def entity_names(self) -> Names:
        return Names(self.known, self.named_by)

    def problem(self, severity, subject, path, value, message, rule) -> Problem:
        return Problem(severity, describe_node(subject, self.graph, self.holders), show(path),
                       show(value), message, f"kg:{rule}",
                       clues=clues_of(subject, self.graph, self.holders), term=value)

    def terms(self, subject) -> list[Problem]:
        found, undeclared = [], set()
        for predicate, obj in self.asserted(subject):
            if (predicate not in self.properties and predicate not in undeclared
                    and not is_built_in(predicate)):
                undeclared.add(predicate)  # one problem however many values it has
                found.append(self.problem(
                    "violation", subject, predicate, None,
                    f"{curie(str(predicate))} is not declared by the ontology"
                    f"{self.predicate_names.nearest(predicate)}: use a declared "
                    f"property.", "undeclared-property"))
            if predicate == RDF_TYPE and obj not in self.classes:
                found.append(self.problem(
                    "violation", subject, predicate, obj,
                    f"{curie(str(obj))} is not a class the ontology declares"
                    f"{self.class_names.nearest(obj)}: use a declared class.", "undeclared-class"))
            if predicate == SUPPORTS and obj not in self.properties:
                found.append(self.problem(
                    "violation", subject, predicate, obj,
                    f"{show(obj)} is not a property the ontology declares"
                    f"{self.property_names.nearest(obj)}: name the property whose statement on "
                    f"the cited node the quote states.", "undeclared-property"))
        return found

    def literals(self, subject) -> list[Problem]:
        found = []
        for predicate, obj in self.asserted(subject):
            if is_ill_typed(obj):
                # "2019-03"^^xsd:date: the date type whose form it has (a time cut off); so
                # too a date property's "2016-09-15"^^xsd:dateTime, whose time the advice to
                # add would only meet kg:date-type's next
                fitting = (as_date(re.sub(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})T.*", r"\1", str(obj)))
                           if obj.datatype in DATE_TYPES or predicate in DATE_PROPERTIES
                           else None)
                example = FORM_EXAMPLES.get(obj.datatype)
                advice = (f"write {show(fitting)}" if fitting is not None else
                          "write the value in that type's form"
                          + (f" (e.g. {example} for {curie(str(obj.datatype))})" if example else "")
                          + ", or use the type that fits it")
                found.append(self.problem(
                    "violation", subject, predicate, obj,
                    f"{show(obj)} is not a valid {curie(str(obj.datatype))}: {advice}.",
                    "ill-typed-literal"))
            elif isinstance(obj, Literal) and obj.language and obj.language.lower() != "en":
                # a mistyped tag (@jp for @ja, @eng) is as silent as a foreign one
                found.append(self.problem(
                    "warning", subject, predicate, obj,
                    f"the tag @{obj.language} is not @en, the graph's language: tag English "
                    f"text @en; keep another tag only on a name in that language.",
                    "language-tag"))
        return found

    def namespaces(self, subject) -> list[Problem]:
        found = []
        if isinstance(subject, URIRef) and not str(subject).startswith((*PROJECT, AK)):
            found.append(self.problem(
                "warning", subject, None, None,
                f"{curie(str(subject))} is outside the project's namespace: name curated "
                f"entities akd:<name> ({AKD}).", "outside-namespace"))
        elif isinstance(subject, BNode) and self.is_described(subject):
            # a citation is a blank node by design; an entity or fact cannot be one
            found.append(self.problem(
                "warning", subject, None, None,
                "this node has a class or a label but no name: `kg describe` cannot find "
                f"it and no other file can link to it; name it akd:<name> ({AKD}).",
                "outside-namespace"))
        for predicate, obj in self.asserted(subject):
            if (predicate in self.object_properties and isinstance(obj, URIRef)
                    and not str(obj).startswith(PROJECT)):
                found.append(self.problem(
                    "violation", subject, predicate, obj,
                    f"{curie(str(predicate))} expects a project entity (akd:) or concept (akc:), "
                    f"not {curie(str(obj))}{self.entity_names.nearest(obj)}: link to the akd: node "
                    f"for it, or create one.",
                    "outside-namespace"))
        return found

    def schema(self, subject) -> list[Problem]:
        """The ontology's terms and schema, stated in data: `ak:Country rdfs:subClassOf
        ak:Company` passed as a candidate, and kg add left 51 violations in the graph.
        Each statement is a problem of its own: those the ontology makes are no news."""
        where = ("data holds facts of akd: nodes; change the ontology in ontology/, where a "
                 "change is checked against the whole graph")
        if isinstance(subject, URIRef) and str(subject).startswith(AK):
            return [self.problem("violation", subject, predicate, obj,
                                 f"{curie(str(subject))} is a term of the ontology: {where}.",
                                 "schema-in-data") for predicate, obj in self.asserted(subject)]
        return [self.problem("violation", subject, predicate, obj,
                             f"{curie(str(predicate))} states schema, which changes what is "
                             f"inferred of other nodes: {where}.", "schema-in-data")
                for predicate, obj in self.asserted(subject) if predicate in SCHEMA_PROPERTIES]

    def is_described(self, node) -> bool:
        """Whether the node is asserted to be in a project class or has a label: what
        curators write of an entity or fact, never of a citation."""
        return any(predicate == RDF_TYPE and str(obj).startswith(AK) or predicate in LABELS
                   for predicate, obj in self.asserted(node))

    def references(self, subject) -> list[Problem]:
        """A link to a project node that nothing describes: usually a mistyped name."""
        return [self.problem("violation", subject, predicate, obj,
                             f"{curie(str(obj))} is not in the graph"
                             f"{self.entity_names.nearest(obj)}: link to an existing node, or "
                             + ("describe the new one (with a label and a citation)."
                                if str(obj).startswith(AKD) else
                                "declare the new concept in ontology/concepts.ttl."),
                             "unknown-entity")
                for predicate, obj in self.asserted(subject)
                if isinstance(obj, URIRef) and str(obj).startswith(PROJECT)
                and obj not in self.known]

    def untyped(self, subject) -> list[Problem]:
        """Statements about an akd: node without a class, neither in the graph nor in the
        file: usually a mistyped subject. A class only inference gives does not count for
        a node nothing names: a property's domain types any subject (`akd:thaad-deploymnt
        ak:operator akd:japan` makes a fact), whose shapes then asked for a label and a
        citation instead of naming the node meant. (A class the ontology does not declare
        is kg:undeclared-class.)"""
        if not isinstance(subject, URIRef) or not str(subject).startswith(AKD):
            return []
        named = subject in self.known or any(predicate == RDF_TYPE
                                             for predicate, _ in self.asserted(subject))
        if named and any(True for _ in self.objects(subject, RDF_TYPE)):
            return []
        return [self.problem("violation", subject, None, None,
                             f"{curie(str(subject))} is not in the graph"
                             f"{self.entity_names.nearest(subject)}: use the name of the "
                             f"node you mean, or give a new one a class (a ak:...), a label and "
                             f"a citation.", "unknown-subject")]

    def labels(self, subject) -> list[Problem]:
        found = []
        for predicate in LABELS:
            for label in self.objects(subject, predicate):
                others = self.named_by.get(label_key(label), set()) - {subject}
                if others:
                    names = ", ".join(sorted(curie(str(o)) for o in others))
                    found.append(self.problem(
                        "violation", subject, predicate, label,
                        f"this label also names {names}: if it is the same entity, "
                        f"use that node; if not, make the labels distinct.", "duplicate-label"))
        return found

    def cycles(self, subject) -> list[Problem]:
        """A node linked to itself: directly, or through a chain of a transitive property
        (ak:variantOf, ak:locatedIn), whose closure then links it to itself."""
        found = []
        written = {predicate for predicate, _ in self.asserted(subject)}
        for predicate in sorted(self.object_properties & written):
            direct = (predicate, subject) in self.asserted(subject)
            if not direct and (predicate not in self.transitive
                               or (subject, predicate, subject) not in self.graph):
                continue
            through = [] if direct else sorted(
                curie(str(obj)) for link, obj in self.asserted(subject) if link == predicate)
            found.append(self.problem(
                "violation", subject, predicate, None,
                f"{curie(str(subject))} is linked to itself by {curie(str(predicate))}"
                + (f" (through {', '.join(through)}, which leads back to it)" if through else "")
                + f": point {curie(str(predicate))} at another node, and not back along a "
                f"chain of them.", "cycle"))
        return found

    def disjoint_classes(self, subject) -> list[Problem]:
        """A statement that puts a node in a class disjoint with one it has: a company
        linked by ak:country (whose range is ak:Country), a fact typed ak:Country. The
        shapes of the wrong class would fire on that node, far from the mistake."""
        if not (self.in_disjoint_classes(subject) or any(
                self.in_disjoint_classes(obj) for predicate, obj in self.asserted(subject)
                if predicate in self.ranges and isinstance(obj, URIRef))):
            return []  # no clash: inference has put each node in its domains and ranges
        clashes = {}  # node -> its clashes, each (statement's predicate, obj, expected, others)
        for predicate, obj in self.asserted(subject):
            implied = [(subject, obj if predicate == RDF_TYPE else self.domains.get(predicate))]
            # what ak:inSource links to, kg:not-a-source says better
            if predicate not in (RDF_TYPE, IN_SOURCE) and isinstance(obj, URIRef):
                implied.append((obj, self.ranges.get(predicate)))
            for node, expected in implied:
                others = self.clashing(expected, node) if expected is not None else ()
                if others and (node == subject or self.against_declared(node, others)):
                    clashes.setdefault(node, []).append((predicate, obj, expected, others))
        found = []
        for node, candidates in clashes.items():
            # one problem per node (each class clashes with the other): the statement at
            # odds with what the node is declared to be (an ak:quote said of an agreement,
            # not its rdf:type), else the first
            predicate, obj, expected, others = next(
                (clash for clash in candidates if self.against_declared(node, clash[3])),
                candidates[0])
            as_value = node != subject
            # the value at fault: the linked node, or the class an rdf:type gives
            at_fault = obj if as_value or predicate == RDF_TYPE else None
            found.append(self.problem(
                "violation", subject, predicate, at_fault,
                self.clash_message(node, predicate, expected, others, as_value),
                "disjoint-classes"))
        return found

    def clash_message(self, node, predicate, expected, others, as_value: bool) -> str:
        classes = ", ".join(self.most_specific(others))
        if predicate == RDF_TYPE:
            return (f"{show(node)} is both a {classes} and a {curie(str(expected))}, "
                    f"classes the ontology declares disjoint: keep the one class that fits.")
        if expected == CITATION and not as_value:
            return (f"{show(node)} is a {classes}, but {curie(str(predicate))} is said of a "
                    f"citation: wrap it in one, {show(node)} ak:citation [ ak:inSource "
                    f"akd:source-...; ak:quote \"...\" ].")
        if as_value:
            return (f"{show(node)} is a {classes}, but {curie(str(predicate))} links to a "
                    f"{curie(str(expected))}, a disjoint class: link a {curie(str(expected))} "
                    f"instead.")
        return (f"{show(node)} is a {classes}, but {curie(str(predicate))} is said of a "
                f"{curie(str(expected))}, a disjoint class: say it of a {curie(str(expected))} "
                f"instead.")

    def against_declared(self, node, clashing) -> bool:
        """Whether one of the `clashing` classes of a linked node is one it is declared (its
        rdf:type, with superclasses), or no class of it is declared here. A link that
        agrees with what the node is declared to be is not the mistake, even if it now
        clashes: a program's ak:producer akd:sm-3-block-iia makes the missile an agent, and
        a deployment's ak:concernsSystem of it is not to blame."""
        declared = self.declared_classes(node)
        return not declared or any(kind in declared for kind in clashing)

    def declared_classes(self, node) -> frozenset:
        """The classes the node's own rdf:type statements give it, with their superclasses
        (not those inference reads from the properties said of it). Remembered by the
        classes stated: nodes share a few."""
        stated = frozenset(self.asserted_values(node, RDF_TYPE))
        if stated not in self.declared:
            self.declared[stated] = frozenset(
                kind for cls in stated for kind in self.graph.transitive_objects(cls, RDFS.subClassOf))
        return self.declared[stated]

    def unexpected_classes(self, subject) -> list[Problem]:
        """A statement said of (its property's domain), or linking to (its range), a class
        that none of the node's stated classes is or falls under: ak:member said of an
        event made it a membership too, and only the membership's shapes spoke, of a
        missing ak:organization. (Disjoint classes are kg:disjoint-classes'; a link to a
        source, kg:not-a-source's.)"""
        found = []
        for predicate, obj in self.asserted(subject):
            if predicate in (RDF_TYPE, IN_SOURCE):
                continue
            for node, expected, as_value in ((subject, self.domains.get(predicate), False),
                                             (obj, self.ranges.get(predicate), True)):
                if expected is None or isinstance(node, Literal):
                    continue
                declared = self.declared_classes(node)
                if (not declared or expected in declared or self.clashing(expected, node)
                        # a mistyped class (ak:Agreemnt) is kg:undeclared-class's to name:
                        # what it stands for, none can tell
                        or not self.classes.issuperset(self.asserted_values(node, RDF_TYPE))):
                    continue
                classes = ", ".join(self.most_specific(self.asserted_values(node, RDF_TYPE)))
                wanted, link = curie(str(expected)), curie(str(predicate))
                said = (f"links to a {wanted}: link a {wanted}" if as_value else
                        f"is said of a {wanted}: say it of a {wanted}")
                found.append(self.problem(
                    "violation", subject, predicate, obj if as_value else None,
                    f"{show(node)} is a {classes}, but {link} {said}, or, if {show(node)} is "
                    f"one, give it that class too.", "unexpected-class"))
        return found

    def in_disjoint_classes(self, node) -> bool:
        """Whether two of the node's classes (with their superclasses, as inference
        gives them) are disjoint. Remembered by class set: nodes share a few."""
        kinds = self.classes_of(node)
        if kinds not in self.disjoint_sets:
            self.disjoint_sets[kinds] = any(frozenset((a, b)) in self.disjoint
                                            for a in kinds for b in kinds)
        return self.disjoint_sets[kinds]

    def classes_of(self, node) -> frozenset:
        if node not in self.types:
            self.types[node] = frozenset(self.objects(node, RDF_TYPE))
        return self.types[node]

    def clashing(self, expected, node) -> tuple:
        """The classes of `node` that the ontology declares disjoint with `expected` (or
        whose superclasses it does)."""
        key = expected, self.classes_of(node)
        if key not in self.clashes:
            above = set(self.graph.transitive_objects(expected, RDFS.subClassOf))
            self.clashes[key] = tuple(
                kind for kind in key[1]
                if any(frozenset((a, b)) in self.disjoint for a in above
                       for b in self.graph.transitive_objects(kind, RDFS.subClassOf)))
        return self.clashes[key]

    def date_types(self, subject) -> list[Problem]:
        """A date property whose value is not an xsd:date, xsd:gYearMonth or xsd:gYear
        (an ill-typed one is kg:ill-typed-literal's)."""
        return [self.problem("violation", subject, predicate, value,
                             f"{show(value)} is not a date: {curie(str(predicate))} takes an "
                             f"xsd:date, xsd:gYearMonth or xsd:gYear; {date_fix(value)}.",
                             "date-type")
                for predicate in DATE_PROPERTIES for value in self.objects(subject, predicate)
                if not (isinstance(value, Literal) and value.datatype in DATE_TYPES)
                and not is_ill_typed(value)]

    def dates(self, subject) -> list[Problem]:
        """A fact (an event, an agreement signed, a program begun) dated after today, and not
        planned. (An ak:endDate may be ahead: an agreement runs until 2028.)"""
        # the dates ahead first: they are rare, and the lookups below cost every subject
        ahead = [(predicate, date) for predicate in (URIRef(AK + "date"), URIRef(AK + "startDate"))
                 for date in self.objects(subject, predicate)
                 if (earliest_day(date) or dt.date.min) > self.today]
        if not ahead or (subject, RDF_TYPE, URIRef(AK + "Fact")) not in self.graph:
            return []
        if any((subject, URIRef(AK + "status"), URIRef(AKC + status)) in self.graph
               for status in ("planned", "under-consideration")):
            return []  # a date ahead is what such a fact has
        kind = "an event" if (subject, RDF_TYPE, URIRef(AK + "Event")) in self.graph else "a fact"
        return [self.problem("violation", subject, predicate, date,
                             f"{date} is in the future for {kind} that is not planned: fix the "
                             f"date, or add ak:status akc:planned if it is scheduled.", "future-date")
                for predicate, date in ahead]

    def date_order(self, subject) -> list[Problem]:
        """An end date before the start date: of a span the sources date, one is mistyped."""
        return [self.problem("violation", subject, END_DATE, end,
                             f"{end} ends before the start, {start}: fix the date that is "
                             f"wrong (the end is the last day the span runs).", "date-order")
                for start in self.objects(subject, START_DATE)
                for end in self.objects(subject, END_DATE)
                if earliest_day(start) and latest_day(end)
                and latest_day(end) < earliest_day(start)]

    def cited_sources(self, subject) -> list[Problem]:
        """A citation whose ak:inSource names something else than a source, such as a
        country (the property's range makes it a source too, and the source shapes fire
        on it, far from the mistake)."""
        found = []
        for citation in self.citations(subject):
            for cited in self.objects(citation, IN_SOURCE):
                kinds = self.other_kinds(cited)
                if kinds and (cited, RDF_TYPE, SOURCE) in self.graph:
                    found.append(self.problem(
                        "violation", citation, IN_SOURCE, cited,
                        f"{curie(str(cited))} is a {', '.join(kinds)}, not a source: "
                        f"ak:inSource names the article the quote comes from.", "not-a-source"))
        return found

    def repeated_citations(self, subject) -> list[Problem]:
        """A second citation of the subject with the source and quote of another: one
        citation stands for a quote, whatever number of statements it backs (ak:supports).
        Only citations checked here count: a candidate may restate a citation of the graph
        to annotate it, which kg add merges into that citation."""
        found = []
        for link in CITATION_LINKS:
            seen = set()
            for citation in self.asserted_values(subject, link):
                if citation not in self.linted:
                    continue
                values = dict(self.asserted(citation))
                key = values.get(IN_SOURCE), values.get(QUOTE)
                if None in key:
                    continue  # the shapes report a missing source or quote
                if key in seen:
                    found.append(self.problem(
                        "warning", citation, QUOTE, key[1],
                        f"{curie(str(subject))} cites this quote of {curie(str(key[0]))} twice: "
                        f"keep one of the two citations, with an ak:supports for each statement "
                        f"the quote backs.", "duplicate-citation"))
                seen.add(key)
        return found

    def other_kinds(self, cited) -> list[str]:
        """The classes of a cited node other than source classes, as CURIEs (remembered:
        a few sources are cited by every citation)."""
        if cited not in self.kinds_of_cited:
            self.kinds_of_cited[cited] = self.most_specific(
                kind for kind in self.objects(cited, RDF_TYPE)
                if str(kind).startswith(AK) and kind not in self.source_classes)
        return self.kinds_of_cited[cited]

    def citations(self, subject) -> list:
        """The subject's citations: its ak:citation and ak:disputedBy values."""
        return [citation for link in CITATION_LINKS
                for citation in self.objects(subject, link)]

    def most_specific(self, classes) -> list[str]:
        """The classes, as CURIEs, without those that are superclasses of another."""
        classes = set(classes)
        broader = {above for kind in classes for above in
                   self.graph.transitive_objects(kind, RDFS.subClassOf) if above != kind}
        return sorted(curie(str(kind)) for kind in classes - broader)

    def quote_spacing(self, subject) -> list[Problem]:
        """A quote with a line break, a tab or a run of spaces (a multi-line \"\"\"...\"\"\"
        string, a paste): the quote check forgives it, but the graph would keep it. Read
        where the citation (a subject too) states its quote."""
        return [self.problem("warning", subject, QUOTE, quote,
                             "the quote has a line break, tab or run of spaces: write it on one "
                             "line, with one space between words, as the graph's quotes are.",
                             "quote-spacing")
                for predicate, quote in self.asserted(subject)
                if predicate == QUOTE and isinstance(quote, Literal)
                and str(quote) != normalise_spaces(str(quote))]

    def quote_sentences(self, subject) -> list[Problem]:
        """A quote of more than one sentence: the sources' rule is one sentence or less."""
        return [self.problem("warning", subject, QUOTE, quote,
                             f"the quote goes on after a sentence ends (at '{end}'): quote the one "
                             f"sentence that states the fact, or the words of it that do; cite a "
                             f"second sentence in a citation of its own.", "multi-sentence-quote")
                for predicate, quote in self.asserted(subject)
                if predicate == QUOTE and (end := sentence_end(str(quote)))]

    def quotes(self, subject) -> list[Problem]:
        if self.sources is None:
            return []
        found = []
        for citation in self.citations(subject):
            source = self.graph.value(citation, IN_SOURCE)
            quote = self.graph.value(citation, QUOTE)
            file_name = self.graph.value(source, FILE_NAME)
            if quote is None or file_name is None or not is_plain_name(str(file_name)):
                continue  # the shapes report a missing quote or source, or a path as name
            text = self.source_text(str(file_name))
            if text is None:
                found.append(self.problem(
                    "warning", citation, IN_SOURCE, Literal(str(file_name)),
                    f"the source text {file_name} is not in {self.sources}: add it there to "
                    f"check the quote.", "source-text-missing"))
            elif normalise(str(quote)) not in text:
                found.append(self.problem("violation", citation, QUOTE, quote,
                                          self.misquote_message(str(quote), str(file_name), text),
                                          "quote-not-in-source"))
        return found

    def misquote_message(self, quote: str, file_name: str, text: str) -> str:
        """What is wrong with a quote that its source's normalised `text` does not hold:
        it is in another source, or which passage of its source is nearest to it (a
        typo, a changed word)."""
        wanted = normalise(quote)
        for source, other in sorted(self.graph.subject_objects(FILE_NAME), key=str):
            other_text = self.source_text(str(other)) if is_plain_name(str(other)) else None
            if str(other) != file_name and other_text and wanted in other_text:
                return (f"the quote is not in {file_name} but in {other}: cite "
                        f"{curie(str(source))} instead.")
        words = text.split(" ")
        size = len(wanted.split(" "))
        passages = [" ".join(words[start:start + size])
                    for start in range(max(1, len(words) - size + 1))]
        nearest_passage = difflib.get_close_matches(wanted, passages, n=1, cutoff=0.6)
        if nearest_passage:
            # then those around it, of a word or two more or fewer: of the quote's own
            # length, the nearest to a quote that left out a word lacks its first or last
            at = passages.index(nearest_passage[0])
            around = sorted({" ".join(words[start:start + length])
                             for start in range(max(0, at - 2), at + 3)
                             for length in range(max(1, size - 2), size + 3)})
            nearest_passage = difflib.get_close_matches(wanted, around, n=1, cutoff=0.6)
        ellipsis = "..." in quote or "\u2026" in quote
        return (f"the quote does not appear in {file_name}"
                + (f' (nearest there: "{nearest_passage[0]}")' if nearest_passage else "")
                + ": copy it exactly from the source (white space and typographic quotes may "
                "differ)" + ("; an ellipsis joins words the source does not: give each part "
                             "a citation of its own." if ellipsis else "."))

    def source_text(self, file_name: str) -> str | None:
        """The source's text, normalised; None if it is not there. Read once (every quote
        of a source is checked against it), and bounded: a link to a device (/dev/zero)
        must not be read forever; a file that cannot be read is an InputError."""
        if file_name not in self.source_texts:
            path = self.sources / file_name
            refuse_pipe(path, "in the sources folder")
            self.source_texts[file_name] = article_words(read_utf8(path)) if path.exists() else None
        return self.source_texts[file_name]

    def asserted(self, subject):
        return self.asserted_statements.get(subject, ())

    def objects(self, subject, predicate) -> list:
        """graph.objects(subject, predicate), from an index of the predicate's statements
        made when first asked: lint asks of every subject, and each of rdflib's lookups
        also finds the graphs of each triple it gives."""
        index = self.by_predicate.get(predicate)
        if index is None:
            index = self.by_predicate[predicate] = {}
            for subject_of, obj in self.graph.subject_objects(predicate):
                index.setdefault(subject_of, []).append(obj)
        return index.get(subject, [])

    def asserted_values(self, subject, predicate) -> list:
        return [obj for p, obj in self.asserted(subject) if p == predicate]


@functools.lru_cache(maxsize=None)
def is_built_in(term) -> bool:
    """Whether the term is one RDF, RDFS or OWL defines (rdf:_1 too): asked of every
    statement's predicate, which are few."""
    return any(term in vocabulary for vocabulary in BUILT_IN_VOCABULARIES)


def inherited(graph: Graph, declaration) -> dict:
    """Each property's rdfs:domain or rdfs:range (`declaration`): its own, else that of
    its nearest super-property. Inference gives a sub-property's values its super-property's
    range (ak:operator's are ak:participant's agents), so kg:disjoint-classes must know it
    to blame the statement that made a system an agent."""
    declared = dict(graph.subject_objects(declaration))
    found = {}
    for prop in declared.keys() | set(graph.subjects(RDFS.subPropertyOf, None)):
        for ancestor in graph.transitive_objects(prop, RDFS.subPropertyOf):  # itself first
            if ancestor in declared:
                found[prop] = declared[ancestor]
                break
    return found


def is_plain_name(file_name: str) -> bool:
    """A file name, not a path: nothing outside the sources folder is ever read."""
    return Path(file_name).name == file_name and file_name not in (".", "..")


def is_ill_typed(term) -> bool:
    return isinstance(term, Literal) and term.datatype in LEXICAL and is_ill_formed(
        str(term), term.datatype)


def is_ill_formed(text: str, datatype) -> bool:
    """Whether the text is not a value of the datatype (one of LEXICAL's)."""
    if not re.fullmatch(LEXICAL[datatype], text):
        return True
    if datatype in (XSD.date, XSD.dateTime):
        year, month, day = (int(part) for part in re.match(r"(-?\d+)-(\d\d)-(\d\d)", text).groups())
        try:  # the day in its month: leap years repeat every 400 years, and Python's dates
            dt.date(2000 + year % 400, month, day)  # stop at 9999, where XSD's do not
        except ValueError:
            return True
    return False


def date_fix(value) -> str:
    """How to write a value as a date: as the date it spells (the day of a date-time),
    else by example."""
    text = str(value) if isinstance(value, Literal) else ""
    if isinstance(value, Literal) and value.datatype == XSD.dateTime:
        text = text.partition("T")[0]
    fitting = as_date(text)
    if fitting is not None:
        return f"write {show(fitting)}"
    return ('write it as e.g. "2023-11-13"^^xsd:date, "2023-11"^^xsd:gYearMonth or '
            '"2023"^^xsd:gYear')


# How a value of each common datatype is written, for the advice on an ill-typed one.
FORM_EXAMPLES = {XSD.date: "2023-11-12", XSD.gYearMonth: "2023-11", XSD.gYear: "2023",
                 XSD.dateTime: "2023-11-12T09:00:00", XSD.integer: "17",
                 XSD.nonNegativeInteger: "17", XSD.decimal: "0.18", XSD.double: "1.5E3",
                 XSD.boolean: "true or false", XSD.duration: "P10Y"}


def as_date(text: str) -> Literal | None:
    """The text as a literal of the first date type whose form it has, else None."""
    for datatype in DATE_TYPES:
        if not is_ill_formed(text, datatype):  # first: rdflib logs a Literal it cannot convert
            return Literal(text, datatype=datatype)
    return None


def earliest_day(term) -> dt.date | None:
    """The first day a date, year-month or year literal covers; None if not a valid one."""
    if not isinstance(term, Literal) or is_ill_typed(term):
        return None
    match = re.match(r"(-?\d{4,})(?:-(\d\d))?(?:-(\d\d))?", str(term))
    if not match or term.datatype not in (XSD.date, XSD.gYearMonth, XSD.gYear):
        return None
    year, month, day = match.groups()
    if not dt.MINYEAR <= int(year) <= dt.MAXYEAR:  # beyond Python's dates: the first or last
        return dt.date.max if int(year) > 0 else dt.date.min
    return dt.date(int(year), int(month or 1), int(day or 1))


def latest_day(term) -> dt.date | None:
    """The last day a date, year-month or year literal covers; None if not a valid one."""
    first = earliest_day(term)
    if first is None or first in (dt.date.min, dt.date.max) or term.datatype == XSD.date:
        return first
    if term.datatype == XSD.gYear:
        return first.replace(month=12, day=31)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def sentence_end(text: str) -> str | None:
    """The word that ends the first sentence of `text` that another follows, if any. A
    full stop after an abbreviation (Gen., U.S., an initial) ends none; in doubt, none."""
    for match in SENTENCE_END.finditer(text):
        word = match.group(1).lstrip("\"“‘(")
        if match.group(2) == "." and (word.lower() in ABBREVIATIONS or INITIALS.search(word)):
            continue
        return word + match.group(2)
    return None


def article_words(text: str) -> str:
    """A source text as its article reads, normalised: a Markdown link as its words (a
    quote that runs through "the [Terminal High Altitude Area Defense](#) (THAAD) system"
    need not stop at the link), an escaped punctuation mark as the mark."""
    return normalise(MARKDOWN_ESCAPE.sub(r"\1", MARKDOWN_LINK.sub(r"\1", text)))


def normalise(text: str) -> str:
    """White space runs as one space and typographic quotes as plain ones; nothing looser."""
    return normalise_spaces(text.translate(TYPOGRAPHIC_QUOTES))


def normalise_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
