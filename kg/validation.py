"""Validation: SHACL (pyshacl) plus kg.lint's checks, with the file, line and column at fault.

`check` validates the shipped graph, or candidate files together with it, reporting only
the problems the candidates bring in. `run_shacl` runs the shapes on one inferred graph;
`restated_facts` finds facts entered twice, in the compiled store.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from rdflib import RDF, RDFS, SH, SKOS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from kg.errors import EXIT_OK, EXIT_VIOLATIONS, InputError
from kg.namespaces import AK, AKC, AKD, PREFIXES, curie, expand
from kg.loading import collector_paused
from kg.lint import DATE_PROPERTIES, LABELS, asserted_statements, lint, normalise
from kg.problems import (SEVERITY_ORDER, Problem, at_or_above, clues_of, describe_node,
                         holders_of, show)
from kg.workers import can_fork, forked, shared_queue

SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


@dataclass
class Report:
    problems: list[Problem]
    # the candidates' quotes new to the graph, when no source texts were given to check them
    unchecked_quotes: int = 0

    def at_or_above(self, severity: str) -> list[Problem]:
        """The problems of that severity ("info", "warning" or "violation") or worse."""
        return at_or_above(self.problems, severity)

    def exit_code(self, fail_on: str = "violation") -> int:
        return EXIT_VIOLATIONS if self.at_or_above(fail_on) else EXIT_OK

    def as_rdf(self, fail_on: str = "violation") -> Graph:
        """The problems as a SHACL validation report graph."""
        report = Graph()
        for prefix, namespace in PREFIXES.items():
            report.bind(prefix, namespace)
        node = BNode()
        report.add((node, RDF.type, SH.ValidationReport))
        report.add((node, SH.conforms, Literal(not self.at_or_above(fail_on))))
        severity = {name: iri for iri, name in SEVERITIES.items()}
        for problem in self.problems:
            result = BNode()
            report.add((node, SH.result, result))
            report.add((result, RDF.type, SH.ValidationResult))
            report.add((result, SH.resultSeverity, severity[problem.severity]))
            report.add((result, SH.focusNode, term_of(problem.focus.split(" ")[0])))
            if problem.path:
                report.add((result, SH.resultPath, path_node(problem.path, report)))
            if problem.value:
                report.add((result, SH.value, problem.term))  # the value, not its text
            report.add((result, SH.resultMessage, Literal(problem.message)))
            report.add((result, SH.sourceShape, term_of(problem.shape)))
            if problem.file:
                report.add((result, RDFS.seeAlso, Literal(problem.place)))
        return report


def path_node(shown: str, report: Graph):
    """The SHACL property path that `show_path` shows as `shown`, its nodes added to
    `report`: ak:member, ^ak:member, ak:date|ak:startDate."""
    if "|" in shown:
        node, alternatives = BNode(), BNode()
        Collection(report, alternatives, [path_node(part, report) for part in shown.split("|")])
        report.add((node, SH.alternativePath, alternatives))
        return node
    if shown.startswith("^"):
        node = BNode()
        report.add((node, SH.inversePath, path_node(shown[1:], report)))
        return node
    return term_of(shown)


def term_of(name: str):
    """The IRI of a CURIE or IRI as shown in a problem, else the text as a literal."""
    iri = expand(name) or (name if name.startswith(("http://", "https://", "urn:")) else None)
    return URIRef(iri) if iri else Literal(name)


def one_thread_at_a_time(function):
    """`function`, run by one thread at a time: pyshacl parses its SPARQL with rdflib's
    parser (pyparsing), which is not thread-safe, and two validations at once failed,
    blaming the shapes. Validation keeps the GIL busy anyway: waiting costs little."""
    lock = threading.Lock()

    @functools.wraps(function)
    def in_turn(*args, **kwargs):
        with lock:
            return function(*args, **kwargs)
    return in_turn


@one_thread_at_a_time
@collector_paused()
def check(graph, files=(), sources: Path | None = None) -> Report:
    """Validate the compiled graph, or candidate Turtle files together with it.

    With files, only the nodes they describe are validated, and problems those nodes
    already had in the shipped graph are left out.
    """
    from kg.loading import parse_file, parse_turtle, read_once
    from kg.positions import index_files
    from kg.safety import check_shapes_queries
    from kg.store import with_candidate

    shapes = parse_turtle([graph.inputs.shapes_file])
    shapes_origin = str(graph.inputs.shapes_file)
    # pyshacl lets SPARQL targets and rules of a working copy's shapes reach any URL.
    check_shapes_queries(shapes, shapes_origin)
    if not files:
        # in a forked copy, which ends without freeing the graph it loads (seconds at 1M)
        with forked(lambda: graph_problems(graph, shapes, shapes_origin, sources)) as problems:
            restated = restated_facts(graph.store)  # while the copy works
            indexes = index_files(graph.inputs.data_files)
            return located(problems() + restated, indexes, graph.store)
    candidate = []
    files = read_once(files)
    for path in files:
        quads = parse_file(path)
        if not quads:
            raise InputError(f"{path}: holds no triples: nothing to check or add")
        candidate += quads
    with with_candidate(graph, candidate) as (store, added):
        return checked_candidate(graph, files, candidate, store, added, shapes, shapes_origin,
                                 sources)


def graph_problems(graph, shapes: Graph, shapes_origin: str, sources: Path | None) -> list[Problem]:
    """SHACL's and lint's problems of the whole compiled graph, not yet placed.

    Both read one rdflib graph of the asserted and inferred triples. pyshacl checks the
    parts of the shapes (see shape_parts) in a forked copy of this process, which shares
    the graph, while lint runs here; then this process takes the parts the copy has not
    taken yet, so that the two end at about the same time.
    """
    import importlib

    importlib.import_module("pyshacl")  # once for both processes: after the fork, twice

    asserted: dict = {}

    def read_asserted(triples):
        asserted.update(asserted_statements(triples, curated_subjects(triples)))

    shipped = graph.rdflib_graph(on_asserted=read_asserted)
    holders = holders_of(asserted)
    parts = shape_parts(shapes_without(shapes, nodes_named(SUPERSEDED_BY_LINT)),
                        SHAPE_PARTS if can_fork() else 1)
    next_part = shared_queue(list(enumerate(parts)))

    def check_parts() -> list[tuple[int, list[Problem]]]:  # until no part is left
        checked = []
        while (taken := next_part()) is not None:
            number, part = taken
            checked.append((number, run_shacl(shipped, part, holders=holders,
                                              origin=shapes_origin).problems))
        return checked

    with forked(check_parts) as forked_parts:
        linted = lint(asserted, shipped, asserted.keys(), sources, holders=holders)
        own = check_parts()  # the parts the copy has not taken yet
        # in the order of the parts, whichever process took them: the same report each time
        checked = sorted(forked_parts() + own, key=lambda numbered: numbered[0])
        return combined([problem for _, problems in checked for problem in problems], linted)


# Into how many parts whole-graph validation cuts the shapes, for two processes to share
# them out as each is free: enough that neither waits long for the other's last one.
SHAPE_PARTS = 8
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def shape_parts(shapes: Graph, count: int = SHAPE_PARTS) -> list[Graph]:
    """The shapes cut into up to `count` graphs, each with some of the shapes that have
    targets and all the others (which those use through sh:node, sh:property ...).

    The shapes of one property stay together: a range problem is left out where the same
    value fails its datatype (see without_range_checks_of_ill_typed). Shapes stay whole
    when they have rules, which change the graph the others check; when a shape with
    targets is also used by another; or when two nodes hold one blank node (`sh:or
    _:dates` in two shapes), which a part without one of them would lose.
    """
    targeted = targeted_shapes(shapes)
    held = Counter(obj for _, _, obj in shapes if isinstance(obj, BNode))
    if (count < 2 or len(targeted) < 2 or (None, SH.rule, None) in shapes
            or any((None, None, shape) in shapes for shape in targeted)
            or any(holders > 1 for holders in held.values())):
        return [shapes]
    by_path: dict = {}
    for shape in sorted(targeted, key=str):  # for named shapes, the same parts each run
        by_path.setdefault(shapes.value(shape, SH.path) or shape, []).append(shape)
    parts: list[list] = [[] for _ in range(min(count, len(by_path)))]
    for number, group in enumerate(by_path.values()):
        parts[number % len(parts)] += group
    return [shapes_without(shapes, targeted - set(part)) for part in parts]


def targeted_shapes(shapes: Graph) -> set:
    """The shapes pyshacl starts from: those with targets, an implicit one among them (a
    shape that is also an rdfs:Class, or of a subclass of it the shapes declare)."""
    classes = {RDFS.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}
    return {shape for target in TARGETS for shape in shapes.subjects(target, None)} | {
        shape for kind in classes for shape in shapes.subjects(RDF.type, kind)
        if any(str(predicate).startswith(str(SH)) for predicate in shapes.predicates(shape))}


def checked_candidate(graph, files, candidate: list, store, added: list, shapes: Graph,
                      shapes_origin: str, sources: Path | None) -> Report:
    """The problems the candidate's quads (parsed from `files`) bring to the compiled
    graph; `store` holds both, and what they imply, that is the compiled graph's triples
    and those `added`."""
    import pyoxigraph as ox

    from kg.loading import to_rdflib
    from kg.positions import index_files
    from kg.store import as_uri_refs, context_of, label_keys

    # The nodes the candidate touches: its subjects, and the project nodes it points to
    # (inference may change them: a range makes an object an instance of a class). Blank
    # nodes are validated through the node they hang from (citations: see neighbourhood),
    # so those that hang from none are subjects in their own right.
    objects = {q.object for q in candidate}
    subjects = {q.subject for q in candidate if isinstance(q.subject, ox.NamedNode)
                or q.subject not in objects} | {
        q.object for q in candidate
        if isinstance(q.object, ox.NamedNode) and q.object.value.startswith((AKD, AKC))}
    old_subjects = {subject for subject in subjects if graph.asserted_about(subject)}
    linted = {to_rdflib(q.subject) for q in candidate}  # citations' blank nodes too
    checked = checked_paths(shapes)
    # the candidate's statements first: of the two statements that clash, lint blames the
    # first (kg:disjoint-classes), which must be the new one
    # what the candidate adds to the context and the labels, by the queries that find them
    # in a whole graph, run on its triples alone: each was a scan of every triple
    added_store = ox.Store()
    added_store.extend(ox.Quad(*triple) for triple in added)
    context = graph.context()
    candidate_about = quads_by_subject(candidate)
    new = neighbourhood(lambda node: [quad.triple for quad in candidate_about.get(node, ())]
                        + graph.asserted_about(node),
                        store, context + context_of(added_store), subjects, checked)
    old = neighbourhood(graph.asserted_about, graph.store, context, old_subjects, checked)
    # a problem of a blank node (a citation) is known by its values too: all the citations
    # of a node are "akd:x ak:citation [...]", and a new one missing its source text was
    # taken for an old one
    labels = graph.label_index()
    before = {(p, frozenset(p.clues)) for p in focused_problems(
        *old, linted, labels, shapes, sources, shapes_origin)}
    new_labels = labels | {key: labels.get(key, set()) | nodes
                           for key, nodes in as_uri_refs(label_keys(added_store)).items()}
    problems = [p for p in focused_problems(*new, linted, new_labels, shapes, sources,
                                            shapes_origin)
                if (p, frozenset(p.clues)) not in before]
    new_nodes = {q.subject for q in candidate if isinstance(q.subject, ox.NamedNode)} - old_subjects
    report = located(problems + restated_facts(store, new_nodes),
                     index_files(list(files) + graph.inputs.data_files), store)
    if sources is None:
        quotes = cited_quotes(candidate)
        report.unchecked_quotes = len(quotes - quotes_of(graph.store, {s for s, _ in quotes}))
    return report


def quads_by_subject(quads) -> dict:
    """The quads by their subject, in their order: one pass (2 s at a million triples),
    where each look through all of them took as long."""
    index: dict = {}
    for quad in quads:
        index.setdefault(quad.subject, []).append(quad)
    return index


def cited_quotes(quads) -> set:
    """The (source, quote) pairs of the citations in `quads`, the quote as kg add knows a
    citation by (kg.curation.citation_key): a copy with a run of spaces is no new quote."""
    import pyoxigraph as ox

    in_source, quote = ox.NamedNode(AK + "inSource"), ox.NamedNode(AK + "quote")
    source_of = {q.subject: q.object for q in quads if q.predicate == in_source}
    return {(source_of.get(q.subject), normalise(q.object.value))
            for q in quads if q.predicate == quote}


QUOTES_OF_SOURCE_QUERY = """
SELECT ?source ?quote WHERE {
  GRAPH <https://w3id.org/alliance-kg/graph/asserted> { ?citation ak:inSource ?source ; ak:quote ?quote }
}"""


def quotes_of(store, sources: set) -> set:
    """The (source, quote) pairs of the store's citations of those sources, as
    cited_quotes gives them."""
    import pyoxigraph as ox

    return {(row["source"], normalise(row["quote"].value)) for source in sources
            if source is not None
            for row in store.query(QUOTES_OF_SOURCE_QUERY, prefixes=PREFIXES,
                                   substitutions={ox.Variable("source"): source})}


# Pairs of fact nodes that cite the same quote: the candidates for kg:duplicate-fact. The
# quotes cited twice first, by grouping (0.13 s at 1M triples; the join of every citation
# with every other of its quote took 4 s).
SHARED_QUOTE_QUERY = """
SELECT DISTINCT ?fact ?other WHERE {
  { SELECT ?quote WHERE { GRAPH <https://w3id.org/alliance-kg/graph/asserted> { ?c ak:quote ?quote } }
    GROUP BY ?quote HAVING (COUNT(*) > 1) }
  LATERAL {
    ?citation ak:quote ?quote . ?fact ak:citation ?citation .
    ?cited ak:quote ?quote . ?other ak:citation ?cited .
    FILTER(?other != ?fact)
    ?fact a ak:Fact . ?other a ak:Fact .
  }
}"""
# The fact nodes with a quote that holds one of ?fact's quotes of the same source, or is
# held in it: a curator copied less, or more, of the sentence. Run for a candidate's new
# facts only, each against every quote of its sources; the whole graph is matched on
# whole quotes, by grouping (above).
OVERLAPPING_QUOTE_QUERY = """
SELECT DISTINCT ?fact ?other WHERE {
  ?fact a ak:Fact ; ak:citation ?citation . ?citation ak:quote ?quote ; ak:inSource ?source .
  ?cited ak:inSource ?source ; ak:quote ?overlapping . ?other ak:citation ?cited .
  FILTER(?other != ?fact && (CONTAINS(STR(?overlapping), STR(?quote))
                             || CONTAINS(STR(?quote), STR(?overlapping))))
  ?other a ak:Fact .
}"""
# What may differ between two records of one fact: its names, prose and citations.
NOT_STATEMENTS_OF_FACT = {RDFS.label, RDFS.comment, *(SKOS[name] for name in (
    "prefLabel", "altLabel", "note", "editorialNote")), *(URIRef(AK + name) for name in (
    "citation", "disputedBy", "dateNote"))}


def restated_facts(store, subjects: set | None = None) -> list[Problem]:
    """kg:duplicate-fact: a fact node (of `subjects`, or any) that cites a quote another
    fact node cites (for `subjects`, also a part of it, or more) and states all the same
    things of the same class: usually one fact entered twice under two names. A warning,
    at the node named later (or at the one of `subjects`)."""
    import pyoxigraph as ox

    from kg.store import ASSERTED

    def statements(node) -> set:
        return {(q.predicate, q.object) for q in store.quads_for_pattern(node, None, None, ASSERTED)
                if URIRef(q.predicate.value) not in NOT_STATEMENTS_OF_FACT}

    # each pair of facts, with how their quotes meet (the same quote is said over a part)
    pairs = {(fact, row["other"]): "from a quote they share, or one holding part of the other"
             for fact in subjects or () for row in store.query(
                 OVERLAPPING_QUOTE_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True,
                 substitutions={ox.Variable("fact"): fact})}
    pairs |= {(row["fact"], row["other"]): "from a quote they share" for row in store.query(
        SHARED_QUOTE_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True)}
    found = []
    for (fact, other), quotes in sorted(pairs.items(),
                                        key=lambda pair: (pair[0][0].value, pair[0][1].value)):
        # each pair once: at the node named later, or at the one of `subjects`
        if subjects is None and fact.value < other.value or subjects is not None and (
                fact not in subjects or other in subjects and fact.value < other.value):
            continue
        if statements(fact) == statements(other):
            found.append(Problem(
                "warning", curie(fact.value), "", curie(other.value),
                f"{curie(fact.value)} states what {curie(other.value)} states, of the same "
                f"class and {quotes}: if it is the same fact, give its label "
                f"or citations to {curie(other.value)} instead; if not, add the statement "
                f"that tells them apart (a date, a participant).",
                "kg:duplicate-fact", term=URIRef(other.value)))
    return found


def checked_paths(shapes: Graph) -> set[str]:
    """The properties whose values the shapes look into (sh:class, sh:node)."""
    return {str(shapes.value(shape, SH.path)) for constraint in (SH["class"], SH.node)
            for shape in shapes.subjects(constraint, None) if shapes.value(shape, SH.path)}


def neighbourhood(asserted_of: Callable[[object], list], store, context: list, subjects: set,
                  checked: set[str]):
    """Just enough of a graph to validate `subjects`: (asserted statements of the focus
    nodes, as `lint` reads them; inferred graph; SHACL's focus nodes; lint's).

    The ontology and concepts (`context`, see kg.store.CONTEXT_QUERY), every triple of
    the subjects, of their citations and of
    the blank nodes they hold, and the triples of what they point to: in what they
    assert, or by an inferred property
    whose values the shapes check. Not every inferred link: a country would bring in
    every fact it takes part in, and pyshacl would validate them all (3 times slower).
    `asserted_of` gives a node's asserted triples, the candidate's first, with their
    literals exactly as written (see CompiledGraph.asserted_about): the store
    canonicalises them.
    """
    import pyoxigraph as ox

    from kg.loading import to_rdflib
    from kg.store import INFERRED, rdflib_graph_of

    links = {ox.NamedNode(AK + "citation"), ox.NamedNode(AK + "disputedBy")}
    citations = {q.object for node in subjects for q in asserted_of(node)
                 if q.predicate in links and not isinstance(q.object, ox.Literal)}
    focus = with_held_blank_nodes(subjects | citations, lambda node: [
        q.object for q in asserted_of(node) if isinstance(q.object, ox.BlankNode)])
    own = [q for node in focus for q in asserted_of(node)]
    # Lint checks every [...] the subjects hold; the shapes, only those that describe
    # something (a class, a label) besides citations: pyshacl copies a blank node's whole
    # tree into each of its results, minutes for 1,000 nested [...].
    describing = {ox.NamedNode(str(p)) for p in (RDF.type, *LABELS)}
    described = {q.subject for q in own if isinstance(q.subject, ox.BlankNode)
                 and q.predicate in describing}
    shacl_nodes = subjects | citations | described | {  # and the citations of these
        q.object for q in own if q.subject in described and q.predicate in links}
    shacl_focus = {to_rdflib(n) for n in shacl_nodes}
    context = list(context) if focus else []
    # inferred classes only for SHACL's: they make a node a target of the shapes
    focused_inferred = [q.triple for s in shacl_nodes
                        for q in store.quads_for_pattern(s, None, None, INFERRED)]
    linked = {t.object for t in own + [t for t in focused_inferred if t.predicate.value in checked]
              if isinstance(t.object, ox.NamedNode)}
    context += [q.triple for node in linked for q in store.quads_for_pattern(node, None, None)]
    focus = {to_rdflib(n) for n in focus}
    asserted: dict = {}
    inferred = rdflib_graph_of(own, focused_inferred, context,
                               on_first=lambda triples: asserted.update(asserted_statements(triples, focus)))
    return asserted, inferred, shacl_focus, focus


def focused_problems(asserted: dict, inferred: Graph, shacl_focus: set, lint_focus: set,
                     linted: set, labels: dict, shapes: Graph, sources,
                     shapes_origin: str = "shapes"):
    """SHACL on its focus nodes, and lint on the candidate's own subjects among its own."""

    holders = holders_of(asserted)
    return combined(run_shacl(inferred, shapes, shacl_focus, skip=SUPERSEDED_BY_LINT,
                              holders=holders, origin=shapes_origin).problems,
                    lint(asserted, inferred, lint_focus & linted, sources, labels=labels,
                         holders=holders))


# Shapes whose findings a lint rule reports better (with the nearest declared names, the
# date type a value needs) and, for the date shapes, faster (see kg.lint.DATE_PROPERTIES).
SUPERSEDED_BY_LINT = {"aks:DeclaredPredicatesShape": "kg:undeclared-property",
                      "aks:DeclaredClassesShape": "kg:undeclared-class",
                      "aks:DateDatatypeProperty": "kg:date-type",
                      "aks:StartDateDatatypeProperty": "kg:date-type",
                      "aks:EndDateDatatypeProperty": "kg:date-type",
                      "aks:AsOfDatatypeProperty": "kg:date-type"}


def combined(shacl: list[Problem], lint: list[Problem]) -> list[Problem]:
    """Lint's problems, and SHACL's except where lint reports the same thing better, or
    where a problem only follows from another.

    SHACL's findings about a node that only a mistyped link or subject created (it has no
    label, no citation), that a citation made a source, or that a statement put in a class
    it cannot be in or is not said to be in, are left out: lint names the mistake itself
    (kg:unknown-entity and kg:unknown-subject, with the nearest known names;
    kg:not-a-source; kg:disjoint-classes; kg:unexpected-class).
    """
    # a node a citation made a source, or a statement put in a class it cannot be in: its
    # own clash (akd:japan is both a ak:Source and a ak:Country) is said at the statement
    blamed = {p.value for p in lint if p.shape == "kg:not-a-source"
              or p.shape == "kg:disjoint-classes" and not clashes_at_focus(p)}
    lint = [p for p in lint if not (p.shape == "kg:disjoint-classes" and clashes_at_focus(p)
                                    and p.focus in blamed)]
    phantoms = {p.value for p in lint if p.shape in ("kg:unknown-entity", "kg:not-a-source")
                or p.shape in ("kg:disjoint-classes", "kg:unexpected-class")
                and not clashes_at_focus(p)}
    # a node put in a class it cannot be in, or is not said to be, or a mistyped subject:
    # the shapes of the class inference gave it say nothing useful
    phantoms |= {p.focus for p in lint if p.shape == "kg:unknown-subject"
                 or p.shape in ("kg:disjoint-classes", "kg:unexpected-class")
                 and clashes_at_focus(p)}
    # a quote found in no source says nothing of its form (a language tag on it is the
    # shapes' to say, and was hidden)
    said = {(p.focus, p.path, p.value) for p in lint if p.shape != "kg:quote-not-in-source"} | {
        (p.shape, p.focus, p.path if p.shape == "kg:undeclared-property" else p.value)
        for p in lint}
    return lint + [p for p in shacl if (p.focus, p.path, p.value) not in said
                   and p.focus.split(" ")[0] not in phantoms
                   and (SUPERSEDED_BY_LINT.get(p.shape), p.focus,
                        p.path if p.shape == "aks:DeclaredPredicatesShape" else p.value) not in said]


def clashes_at_focus(problem: Problem) -> bool:
    """Whether a class problem is about its focus node (a statement said of it, or the
    class an rdf:type gives it, is at fault) rather than about the node it links to."""
    return not problem.value or problem.path == "rdf:type"


def curated_subjects(asserted: list[tuple]) -> set:
    """The subjects of the data files (asserted triples): akd: nodes, blank nodes that
    nothing holds (an entity or fact written without a name, which lint warns of), the
    blank nodes these hold, and whatever has a date (lint checks dates in place of the
    shapes, whose targets are every subject of a date property)."""
    held_by: dict = {}
    for s, _, o in asserted:
        if isinstance(o, BNode):
            held_by.setdefault(s, []).append(o)
    held = {o for blanks in held_by.values() for o in blanks}
    nodes = {s for s, _, _ in asserted if isinstance(s, URIRef) and s.startswith(AKD)
             or isinstance(s, BNode) and s not in held}
    date_properties = frozenset(DATE_PROPERTIES)  # a hash lookup: a million triples pass
    dated = {s for s, p, _ in asserted if p in date_properties}
    return with_held_blank_nodes(nodes, lambda node: held_by.get(node, ())) | dated


def with_held_blank_nodes(nodes: set, held) -> set:
    """`nodes` and the blank nodes they hold, directly or through other blank nodes
    (`held` gives those a node holds): a [...] inside a citation, or under any other
    property, is checked as its holder is (only a citation's own were, so a typo in one
    nested deeper went unreported, and kg add merged it)."""
    found, frontier = set(nodes), list(nodes)
    while frontier:
        for blank in held(frontier.pop()):
            if blank not in found:
                found.add(blank)
                frontier.append(blank)
    return found


def narrower_properties(store) -> dict[str, list[str]]:
    """Each property's sub-properties, by IRI: a shape on ak:participant finds its value
    written under ak:party, which inference made an ak:participant."""
    narrower: dict[str, list[str]] = {}
    for row in store.query("SELECT DISTINCT ?sub ?super WHERE { ?sub rdfs:subPropertyOf ?super "
                           "FILTER(?sub != ?super && isIRI(?sub) && isIRI(?super)) }",
                           prefixes=PREFIXES, use_default_graph_as_union=True):
        narrower.setdefault(row["super"].value, []).append(row["sub"].value)
    return {prop: sorted(subs) for prop, subs in narrower.items()}


def located(problems: list[Problem], indexes, store) -> Report:
    """The problems, each with the file, line and column of the statement at fault, in
    order; a problem of a property written as one of its sub-properties in `store` at
    that one."""
    from kg.output import file_name
    from kg.positions import locate

    narrower = narrower_properties(store) if problems else {}
    placed = []
    for problem in problems:
        subject, _, rest = problem.focus.partition(" ")
        links = rest.split()[::2]  # "ak:citation [...] ak:mentions [...]"
        predicate = links[0] if rest else problem.path
        # a problem inside a [...] is placed at its own property, else at the link to
        # the [...] within the outermost one, else at the outermost [
        inner = problem.path if problem.clues and rest else None
        property_at_fault = inner or (links[-1] if len(links) > 1 else predicate)
        at_fault = expand(property_at_fault) or property_at_fault or None
        where = (expand(subject) or subject, at_fault, problem.clues)
        link_iris = tuple(expand(link) or link for link in links)
        path, line, column, written = locate(indexes, *where, value_clue(problem.term),
                                             link_iris, narrower.get(at_fault, ()))
        if written != at_fault and problem.term is not None:  # a value under ak:party
            problem = replace(problem, path=curie(written))  # not "ak:participant"
        if problem.all_values:
            problem = replace(problem, message=problem.message + " " + values_and_places(
                problem.all_values, indexes, *where, link_iris, narrower.get(at_fault, ())))
        placed.append(replace(problem, file=file_name(str(path)) if path else "", line=line,
                              column=column))
    # two nodes alike in all but their blank-node identity (a citation copied into another
    # file) give the same problem each, placed at the first: say it once
    placed = list(dict.fromkeys(placed))
    placed.sort(key=lambda p: (p.file == "", p.file, p.line, p.column,
                               -SEVERITY_ORDER.index(p.severity),
                               p.focus, p.path, p.message))
    return Report(placed)


def values_and_places(values, indexes, subject: str, predicate: str, clues, links,
                      narrower) -> str:
    """'Found 2: "2000"^^xsd:gYear (new.ttl:4:33), "1999"^^xsd:gYear (data/x.ttl:9:13).':
    each value of a property that allows fewer, where it is written, in the order of the
    files (a candidate's first); a value only inference gives is named last, alone."""
    from kg.output import file_name
    from kg.positions import locate

    shown = []
    for value in values:
        clue = value_clue(value)
        # a named node's statements may be inferred; a [...]'s (a citation's) are written
        writing = indexes if clues else [
            index for index in indexes if clue and index.may_state(subject) and any(
                index.writes_value(subject, written, clue) for written in (predicate, *narrower))]
        path, line, column, _ = locate(writing, subject, predicate, clues, clue, links, narrower)
        place = f" ({file_name(str(path))}:{line}:{column})" if path else ""
        order = [index.path for index in indexes].index(path) if path else len(indexes)
        shown.append(((order, line, column), show(value) + place))
    return f"Found {len(shown)}: " + ", ".join(text for _, text in sorted(shown)) + "."


def value_clue(term) -> str | None:
    """The value at fault as kg.positions looks for it: a literal's text, an IRI as <IRI>."""
    if isinstance(term, Literal):
        return str(term)
    return f"<{term}>" if isinstance(term, URIRef) else None


def run_shacl(data_graph: Graph, shapes_graph: Graph, focus_nodes=None, skip=(),
              holders: dict | None = None, origin: str = "shapes") -> Report:
    """Validate an already-inferred data graph against the shapes (SHACL core and SPARQL).

    `focus_nodes` keeps only the results about those nodes (None: all); `skip` names
    shapes (CURIEs) to leave out; `holders` the written links to blank nodes (see
    kg.problems.holders_of), which name them in messages. pyshacl's own focus_nodes
    option is not used: with it, pyshacl skips the sh:node checks of values that are not
    themselves focus IRIs (every literal), so it would miss ill-typed dates; the graphs
    validated with a focus are small neighbourhoods, which validate whole in a moment.
    """
    import pyshacl

    if focus_nodes is not None and not focus_nodes:
        return Report([])
    if skip:
        shapes_graph = shapes_without(shapes_graph, nodes_named(skip))
    # Without rules (a working copy's shapes may add some) pyshacl changes nothing, so it
    # may skip the copy of the whole data graph its advanced mode makes first.
    has_rules = (None, SH.rule, None) in shapes_graph
    try:
        _, report_graph, _ = pyshacl.validate(
            data_graph, shacl_graph=shapes_graph, inference="none", advanced=True,
            allow_warnings=True, allow_infos=True, inplace=not has_rules)
    except (Exception, RecursionError) as exc:
        # A working copy's shapes may hold what pyshacl cannot run: SPARQL that does not
        # parse or names an unknown prefix, an sh:pattern that is no regular expression,
        # queries nested too deep for rdflib's parser. Each raised its own traceback.
        detail = " ".join(str(exc).split())[:200]
        raise InputError(f"{origin}: pyshacl cannot run these shapes "
                         f"({type(exc).__name__}{': ' + detail if detail else ''})") from None
    # Top-level results only: sh:detail nests the results of sh:node checks again.
    results = [r for r in report_graph.objects(None, SH.result)
               if focus_nodes is None or report_graph.value(r, SH.focusNode) in focus_nodes]
    results = without_range_checks_of_ill_typed(results, report_graph)
    problems = sorted((problem_of(result, report_graph, data_graph, holders)
                       for result in results),
                      key=lambda p: (-SEVERITY_ORDER.index(p.severity), p.focus, p.path, p.message))
    return Report(problems)


# Comparisons that every value of another datatype fails: "5 billion" is a string, and
# "must not be negative" would only confuse what its datatype problem says.
RANGE_COMPONENTS = {SH.MinInclusiveConstraintComponent, SH.MaxInclusiveConstraintComponent,
                    SH.MinExclusiveConstraintComponent, SH.MaxExclusiveConstraintComponent}


def without_range_checks_of_ill_typed(results: list, report: Graph) -> list:
    """The results but those of a range constraint on a value that fails its datatype."""
    def statement(result):
        return tuple(report.value(result, p) for p in (SH.focusNode, SH.resultPath, SH.value))

    component = {r: report.value(r, SH.sourceConstraintComponent) for r in results}
    ill_typed = {statement(r) for r in results if component[r] == SH.DatatypeConstraintComponent}
    return [r for r in results
            if component[r] not in RANGE_COMPONENTS or statement(r) not in ill_typed]


def nodes_named(curies) -> set:
    """The nodes (of shapes) that CURIEs name."""
    return {URIRef(expand(name)) for name in curies}


def shapes_without(shapes: Graph, dropped: set) -> Graph:
    """A copy of the shapes graph without the given shapes and the blank nodes they hold."""
    dropped = set(dropped)
    frontier = list(dropped)
    while frontier:
        for obj in shapes.objects(frontier.pop(), None):
            if isinstance(obj, BNode) and obj not in dropped:
                dropped.add(obj)
                frontier.append(obj)
    copy = Graph()
    for triple in shapes:
        if triple[0] not in dropped:
            copy.add(triple)
    return copy


def problem_of(result, report: Graph, data: Graph, holders: dict | None = None) -> Problem:
    def one(predicate):
        return report.value(result, predicate)

    shape = one(SH.sourceShape)
    focus, path = one(SH.focusNode), one(SH.resultPath)
    too_many = one(SH.sourceConstraintComponent) == SH.MaxCountConstraintComponent
    return Problem(
        severity=SEVERITIES.get(one(SH.resultSeverity), "violation"),
        focus=describe_node(focus, data, holders),
        clues=clues_of(focus, data, holders),
        path=show_path(path, report),
        value=show(one(SH.value)),
        term=one(SH.value),
        message=" ".join(str(one(SH.resultMessage) or "").split()),
        shape=show(shape) if isinstance(shape, URIRef) else show(one(SH.sourceConstraintComponent)),
        all_values=tuple(data.objects(focus, path)) if too_many and isinstance(path, URIRef)
        else (),
    )


def show_path(path, report: Graph) -> str:
    """A SHACL property path as a user would write it, in SPARQL's syntax: ak:member,
    ^ak:member, ak:date|ak:startDate."""
    if isinstance(path, BNode):
        inverse = report.value(path, SH.inversePath)
        if inverse is not None:
            return f"^{show_path(inverse, report)}"
        alternatives = report.value(path, SH.alternativePath)
        if alternatives is not None:
            return "|".join(show_path(part, report) for part in Collection(report, alternatives))
    return show(path)
