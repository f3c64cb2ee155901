"""Hints for a query that found nothing: the IRIs it names that no triple of the graph
uses (a mistyped `rdfs:labl`, `ak:concernSystem` or `akd:japn`), each with the nearest
names the graph does use.

Read with kg.safety's tokeniser, so that only names in code count (not in strings or
comments), each resolved by the query's own PREFIX declarations over the predeclared ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import AK, AKC, AKD, PREFIXES, curie, expand, nearest
from kg.safety import code_tokens, text_position

# Named in a query without being a node of the graph: datatypes (`"1"^^xsd:integer`,
# `DATATYPE(?d) = xsd:date`, `DATATYPE(?l) = rdf:langString`) and casts (`xsd:integer(?n)`).
NOT_NODES = (PREFIXES["xsd"], *(PREFIXES["rdf"] + name for name in (
    "langString", "dirLangString", "HTML", "XMLLiteral", "JSON", "PlainLiteral")))
# The vocabulary a mistyped property or class is compared with: what the ontology declares.
DECLARED = """SELECT DISTINCT ?term WHERE {
  VALUES ?kind { owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty
                 owl:AnnotationProperty rdf:Property }
  ?term a ?kind FILTER(isIRI(?term)) }"""
RDF_TYPE = PREFIXES["rdf"] + "type"
# Each suggestion compares the name with every labelled node (1.5 s at 1M triples): only
# the first few absent names get one, so that a query of thousands of IDs is told at once.
MAX_SUGGESTED = 3


@dataclass(frozen=True)
class AbsentName:
    """A name of the query that no triple of the graph uses, where it is written
    (line and column from 1), and the nearest names the graph uses (' (did you mean
    rdfs:label?)', or '')."""
    written: str
    line: int
    column: int
    suggestion: str

    def __str__(self) -> str:
        return f"{self.written} is in no triple of the graph{self.suggestion}"


def absent_names(graph, text: str, within: tuple[str, ...] = ()) -> list[AbsentName]:
    """The names of the query `text` that no triple of the CompiledGraph `graph` uses, as
    subject, predicate, object or graph name, each once, in the order written; the first
    MAX_SUGGESTED with the nearest names. With `within`, only the names in those
    namespaces. A string without a language tag as a triple pattern's object counts too
    where only its @en form is in the graph ("Japan" for the label "Japan"@en: every text
    of the graph is tagged)."""
    absent, seen, known = [], set(), {}
    for iri, written, offset in named_iris(text):
        if iri in seen or (within and not iri.startswith(within)):
            continue
        seen.add(iri)
        try:
            node = ox.NamedNode(iri)
        except ValueError:  # read otherwise than Oxigraph did: no hint rather than a wrong one
            continue
        if used(graph.store, node):
            continue
        suggestion = ""
        elsewhere = in_another_namespace(graph.store, iri)
        if elsewhere:
            suggestion = (f" (did you mean {curie(elsewhere)}? ak: names classes and properties, "
                          "akd: entities, akc: concepts)")
        elif len(absent) < MAX_SUGGESTED:
            project = iri.startswith((AKD, AKC))
            if project not in known:
                known[project] = names_like(graph, project)
            suggestion = spelled_out(nearest(iri, known[project]), written)
        absent.append(AbsentName(written, *text_position(text, offset), suggestion))
    strings = set()
    for written, offset in untagged_objects(text):
        plain = string_value(written)
        if plain is not None and plain not in strings:
            strings.add(plain)
            tagged = ox.Literal(plain, language="en")
            if not used_as_object(graph.store, ox.Literal(plain)) and used_as_object(
                    graph.store, tagged):
                absent.append(AbsentName(written, *text_position(text, offset),
                                         f" (did you mean {tagged}? the graph tags its text)"))
    return sorted(absent, key=lambda name: (name.line, name.column))


def in_another_namespace(store: ox.Store, iri: str) -> str | None:
    """The same name in another of the project's namespaces, where the graph uses it:
    akd:japan for ak:japan, ak:Country for akd:Country (the likeliest slip, cheaper to
    find than the nearest names)."""
    namespaces = (AK, AKD, AKC)
    own = next((namespace for namespace in namespaces if iri.startswith(namespace)), None)
    if own is None:
        return None
    local = iri[len(own):]
    return next((other + local for other in namespaces
                 if other != own and used(store, ox.NamedNode(other + local))), None)


def untagged_objects(text: str):
    """(as written, offset) of each string with no language tag or datatype written as
    the object of a triple pattern (after a predicate; not an argument of a function)."""
    code = code_tokens(text)
    for index, (kind, value, offset) in enumerate(code):
        following = code[index + 1] if index + 1 < len(code) else ("", "", 0)
        if (kind == "string" and index and following[0] != "langtag" and following[1] != "^"
                and (code[index - 1][0] in ("pname", "iri", "variable")
                     or code[index - 1][1] == "a")):
            yield value, offset


def string_value(written: str) -> str | None:
    """The text of a SPARQL string as written (any quotes, escapes), or None."""
    try:
        (quad,) = ox.parse(f"<x:s> <x:p> {written} .", format=ox.RdfFormat.TURTLE)
    except (SyntaxError, ValueError):  # a SPARQL escape Turtle lacks: no hint
        return None
    return quad.object.value


def used_as_object(store: ox.Store, term) -> bool:
    return next(store.quads_for_pattern(None, None, term), None) is not None


def spelled_out(suggestion: str, written: str) -> str:
    """The suggestion with the name the query wrote, where it is one, as its IRI: a query
    that declares ak: otherwise was told "did you mean ak:Country?" of its ak:Country."""
    iri = expand(written)
    if iri is None:
        return suggestion
    return re.sub(rf"(?<= ){re.escape(written)}(?=[,?])", f"<{iri}>", suggestion)


def named_iris(text: str):
    """(IRI, as written, offset) for each IRI the query names as a node: not the namespace
    of a PREFIX, the BASE, a function or a datatype; relative IRIs are skipped."""
    prefixes = dict(PREFIXES)
    code = code_tokens(text)
    namespace_at = None
    template = construct_template(code)
    for index, (kind, value, offset) in enumerate(code):
        if index in template:
            continue
        previous = code[index - 1][1].upper() if index else ""
        following = code[index + 1][1] if index + 1 < len(code) else ""
        if previous in ("PREFIX", "BASE"):  # `PREFIX ak: <namespace>`, `BASE <iri>`
            if kind == "pname" and following.startswith("<"):
                prefixes[value[:-1]] = following[1:-1]
                namespace_at = index + 1
            continue
        datatype = [token[1] for token in code[max(index - 2, 0):index]] == ["^", "^"]
        if kind not in ("pname", "iri") or index == namespace_at or datatype or following == "(":
            continue
        iri = resolved(kind, value, prefixes)
        if iri and not iri.startswith(NOT_NODES):
            yield iri, value, offset


def construct_template(code: tuple) -> range:
    """The indexes of the tokens of a CONSTRUCT's template, `{ ... }`: what it makes rather
    than what it matches, so a name there that the graph lacks (a new property, mostly)
    is no reason for finding nothing. Empty for CONSTRUCT WHERE, whose template matches."""
    start = next((index + 1 for index, (kind, value, _) in enumerate(code)
                  if kind == "word" and value.upper() == "CONSTRUCT"), None)
    if start is None or start == len(code) or code[start][1] != "{":
        return range(0)
    depth = 0
    for end in range(start, len(code)):
        depth += {"{": 1, "}": -1}.get(code[end][1], 0)
        if depth == 0:
            return range(start, end + 1)
    return range(start, len(code))


def resolved(kind: str, value: str, prefixes: dict) -> str | None:
    """The IRI of a prefixed name or <IRI>, or None for a blank node label, a namespace
    (`akd:` alone, which queries compare as a string: STR(akd:)), a relative
    IRI (BASE would resolve it), an IRI written with \\u escapes (left undecoded) and an
    undeclared prefix (which Oxigraph refuses)."""
    if kind == "iri":
        iri = value[1:-1]
        return iri if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri) and "\\" not in iri else None
    prefix, _, local = value.partition(":")
    if prefix == "_" or prefix not in prefixes or not local:  # akd: alone: STR(akd:)
        return None
    return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)  # PN_LOCAL_ESC: ak:a\.b is ak:a.b


def used(store: ox.Store, node: ox.NamedNode) -> bool:
    patterns = ((node, None, None), (None, node, None), (None, None, node))
    return store.contains_named_graph(node) or any(
        next(store.quads_for_pattern(*pattern), None) is not None for pattern in patterns)


def names_like(graph, project: bool) -> list[str]:
    """The IRIs a mistyped name is compared with: the project's named nodes (a label or
    alternative label) for an akd: or akc: name, those the build kept label keys of (a
    query of every label took 1.7 s at a million triples), else the declared properties
    and classes (and rdf:type)."""
    if project:
        return sorted({iri for iris in graph.kept_label_keys.values() for iri in iris})
    _, rows = graph.select(DECLARED)
    return [row[0].value for row in rows] + [RDF_TYPE]
