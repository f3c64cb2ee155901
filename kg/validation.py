"""SHACL validation of the inferred graph with pyshacl, reported as plain problems."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rdflib import RDFS, SH, BNode, Graph, Literal, URIRef

from kg.errors import EXIT_OK, EXIT_VIOLATIONS
from kg.namespaces import curie

SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
SEVERITY_ORDER = ["info", "warning", "violation"]


@dataclass(frozen=True)
class Problem:
    severity: str   # violation, warning or info
    focus: str      # the node at fault, as a CURIE (or "akd:x ak:citation [...]")
    path: str       # the property at fault, as a CURIE, or "" for node-level problems
    value: str      # the offending value, or ""
    message: str    # what is wrong and what to do
    shape: str      # the shape that caught it

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    problems: list[Problem]
    report_graph: Graph

    def at_or_above(self, severity: str) -> list[Problem]:
        threshold = SEVERITY_ORDER.index(severity)
        return [p for p in self.problems if SEVERITY_ORDER.index(p.severity) >= threshold]

    def exit_code(self, fail_on: str = "violation") -> int:
        return EXIT_VIOLATIONS if self.at_or_above(fail_on) else EXIT_OK


def validate(data_graph: Graph, shapes_graph: Graph) -> Report:
    """Validate an already-inferred data graph against the shapes (SHACL core and SPARQL)."""
    import pyshacl

    _, report_graph, _ = pyshacl.validate(
        data_graph, shacl_graph=shapes_graph, inference="none", advanced=True,
        allow_warnings=True, allow_infos=True)
    # Top-level results only: sh:detail nests the results of sh:node checks again.
    problems = sorted(
        (problem_of(result, report_graph, data_graph)
         for result in report_graph.objects(None, SH.result)),
        key=lambda p: (-SEVERITY_ORDER.index(p.severity), p.focus, p.path, p.message))
    return Report(problems, report_graph)


def problem_of(result, report: Graph, data: Graph) -> Problem:
    def one(predicate):
        return report.value(result, predicate)

    shape = one(SH.sourceShape)
    return Problem(
        severity=SEVERITIES.get(one(SH.resultSeverity), "violation"),
        focus=describe_node(one(SH.focusNode), data),
        path=show_path(one(SH.resultPath), report),
        value=show(one(SH.value)),
        message=" ".join(str(one(SH.resultMessage) or "").split()),
        shape=show(shape) if isinstance(shape, URIRef) else show(one(SH.sourceConstraintComponent)),
    )


def describe_node(node, data: Graph) -> str:
    """A CURIE; a blank node is named by the triple that points to it."""
    if isinstance(node, BNode):
        for subject, predicate in data.subject_predicates(node):
            return f"{describe_node(subject, data)} {curie(str(predicate))} [...]"
        label = data.value(node, RDFS.label)
        return f"[{label}]" if label else "[]"
    return show(node)


def show_path(path, report: Graph) -> str:
    """A SHACL property path as a user would write it: ak:member, ^ak:member."""
    inverse = report.value(path, SH.inversePath) if isinstance(path, BNode) else None
    return f"^{show(inverse)}" if inverse is not None else show(path)


def show(term) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return term.n3() if term.datatype or term.language else f'"{term}"'
    if isinstance(term, URIRef):
        return curie(str(term))
    return "[]"
