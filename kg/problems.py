"""A problem found in the data: what is wrong, where, and what to do; and how a node or
term is named in its message (as a curator writes it: CURIEs, "akd:x ak:citation [...]").

Shared by the SHACL step (kg.validation) and the checks beyond it (kg.lint).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from rdflib import BNode, Graph, Literal, URIRef

from kg.namespaces import curie

SEVERITY_ORDER = ["info", "warning", "violation"]


def at_or_above(problems, severity: str) -> list:
    """The problems (objects with a `severity`) of that severity ("info", "warning" or
    "violation") or worse; ValueError for another severity, even with no problems."""
    if severity not in SEVERITY_ORDER:  # a bare "not in list" ValueError
        raise ValueError(f"severity {severity!r}: one of {', '.join(SEVERITY_ORDER)}")
    threshold = SEVERITY_ORDER.index(severity)
    return [p for p in problems if SEVERITY_ORDER.index(p.severity) >= threshold]


# A literal as Turtle writes it, so that a value with a line break stays on its problem's line.
TURTLE_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r",
                                "\t": "\\t"})
MAX_BLANK_NODE_DEPTH = 100_000


@dataclass(frozen=True)
class Problem:
    severity: str   # violation, warning or info
    focus: str      # the node at fault, as a CURIE (or "akd:x ak:citation [...]")
    path: str       # the property at fault, as a CURIE, or "" for node-level problems
    value: str      # the offending value, or ""
    message: str    # what is wrong and what to do
    shape: str      # the shape (aks:...) or lint rule (kg:...) that caught it
    file: str = ""  # where the offending statement is, when it is in a file
    line: int = 0
    column: int = 0  # of the value at fault, else the property (or subject, or [ of a blank node)
    # a blank node's values (<IRI> or text), which tell its [...] in the file from others
    clues: tuple[str, ...] = field(default=(), compare=False, repr=False)
    # the offending value itself (an rdflib term), for the SHACL report's sh:value
    term: object = field(default=None, compare=False, repr=False)
    # of a property with too many values, all its values (rdflib terms), to name each
    all_values: tuple = field(default=(), compare=False, repr=False)

    @property
    def place(self) -> str:
        """file:line:column, as compilers and kg's syntax errors name a place; "" if none."""
        return f"{self.file}:{self.line}:{self.column}" if self.file else ""

    def to_dict(self) -> dict:
        # not dataclasses.asdict: it deep-copies `term`, and a copy of an ill-typed rdflib
        # literal ("abc"^^xsd:date) parses its value again, logging a traceback on stderr
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("clues", "term", "all_values")}


def describe_node(node, data: Graph, holders: dict | None = None) -> str:
    """A CURIE; a blank node by the node it hangs from and the links down to it: akd:x
    ak:citation [...], akd:x ak:citation [...] ak:mentions [...]; a blank node nothing
    links to (a top-level subject) is [] (so [] ak:citation [...]). `holders` (see
    `holders_of`) tells which links were written; without it, any link does."""
    top, links, _ = hanging_from(node, data, holders)
    if top is None:
        return "[...]"
    return show(top) + "".join(f" {curie(str(link))} [...]" for link in links)


# In a one-line problem, a blank node nested deeper shows its first and last links only:
# 4,000 nested [ rdfs:label [ ... ] ] spelled out the whole chain for each, 137 MB.
SHOWN_LINKS = 6


def shortened(focus: str) -> str:
    """A focus as a one-line problem shows it: `akd:x ak:a [...] ak:b [...] ak:c [...] …
    (3,994 more levels) … ak:x [...] ak:y [...] ak:z [...]` for one nested more than
    SHOWN_LINKS deep."""
    *levels, rest = focus.split(" [...]")
    if len(levels) <= SHOWN_LINKS:
        return focus
    half = SHOWN_LINKS // 2
    hidden = len(levels) - SHOWN_LINKS
    gap = f" … ({hidden:,} more level{'s' if hidden > 1 else ''}) …"
    kept = [*levels[:half], gap + levels[-half], *levels[-half + 1:]]
    return " [...]".join(kept) + " [...]" + rest


def clues_of(node, data: Graph, holders: dict | None = None) -> tuple[str, ...]:
    """What tells the blank node holding `node` from the others in a file: its values,
    IRIs as <IRI>. That is the outermost [...] below the IRI it hangs from, or the
    top-level blank node itself, told from the file's other blank-node subjects."""
    top, _, outermost = hanging_from(node, data, holders)
    holder = top if isinstance(top, BNode) else outermost
    if holder is None:
        return ()
    return tuple(f"<{value}>" if isinstance(value, URIRef) else str(value)
                 for value in data.objects(holder) if not isinstance(value, BNode))


def holders_of(asserted: dict) -> dict:
    """Which node holds each blank node, and by which link: {blank node: (subject,
    predicate)}, from the asserted statements (subject -> its (predicate, object) pairs)."""
    return {obj: (subject, predicate) for subject, pairs in asserted.items()
            for predicate, obj in pairs if isinstance(obj, BNode)}


def hanging_from(node, data: Graph, holders: dict | None = None):
    """(the top node, the links from it down to the node, the blank node the first link
    leads to) for a node inside blank nodes; (node, [], None) for a top node. The top is
    the first node up that nothing links to or that is no blank node; None if nested too
    deep. With `holders`, only written links count: in an inferred graph, an inverse
    property links a country to a blank-node agreement that names it as a party."""
    links, outermost = [], None
    for _ in range(MAX_BLANK_NODE_DEPTH):  # a loop, not recursion: candidates may nest deeply
        if not isinstance(node, BNode):
            parent = None
        elif holders is not None:
            parent = holders.get(node)
        else:
            parent = next(data.subject_predicates(node), None)
        if parent is None:
            return node, links[::-1], outermost
        outermost, (node, link) = node, parent
        links.append(link)
    return None, links[::-1], None


def show(term) -> str:
    """A term as a curator writes it: CURIEs, "text"@en, "2023"^^xsd:gYear."""
    if term is None:
        return ""
    if isinstance(term, Literal):
        text = '"' + str(term).translate(TURTLE_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        return f"{text}^^{curie(str(term.datatype))}" if term.datatype else text
    if isinstance(term, URIRef):
        return curie(str(term))
    return "[]"
