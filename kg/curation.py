"""Writing the curated data: canonical Turtle (`kg fmt`) and merging candidates (`kg add`).

Every data file is kept in one canonical form, rdflib's "longturtle" with blank nodes
canonicalised, so that the same triples always give the same bytes and a change shows in
a diff as the statements it touches. A file's leading comment block is its header and is
kept; comments further down are not (they are not part of the graph).

`add` merges candidate triples into the file where each subject already lives (a new
file for new subjects) under a lock on the data folder, after the caller's validation,
and writes the files all or nothing (kg.writing): an error leaves every file as it was.
"""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import io
import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer

from kg.errors import InputError
from kg.loading import Inputs, add_triples, is_stream, parse_file, read_bytes, read_utf8
from kg.namespaces import PREFIXES
from kg.problems import at_or_above
from kg.writing import TEMP_SUFFIX, write_all

# What a citation is known by (kg.lint has the same terms; importing it would cost kg fmt).
IN_SOURCE, QUOTE = (URIRef(PREFIXES["ak"] + name) for name in ("inSource", "quote"))
LOCK_FILE = ".kg.lock"
DEFAULT_LOCK_TIMEOUT = 30.0  # seconds to wait for another kg add or kg fmt to finish
# longturtle writes "ak:citation " before a list of blank nodes, each "[" on a line of
# its own; the trailing space would be stripped by editors and make the file non-canonical.
SPACE_BEFORE_BLANK_NODE_LIST = re.compile(r" +\n(?= *\[\n)")
# A string's last character, a quote, not escaped: after an even run of backslashes.
UNESCAPED_FINAL_QUOTE = re.compile(r'(?<!\\)(?:\\\\)*"\Z')
# C0 controls but tab and line feed, DEL and C1 controls.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Turtle's short forms of literals (grammar rules INTEGER, DECIMAL, DOUBLE, BooleanLiteral):
# a lexical form that matches one is written bare and reads back exactly as it was.
SHORT_FORMS = {
    XSD.integer: re.compile(r"[+-]?[0-9]+"),
    XSD.decimal: re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD.double: re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
    XSD.boolean: re.compile(r"true|false"),
}

# A line and its line feed; the last one may have none.
LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")

Validator = Callable[[list[Path]], Iterable]


# ---------------------------------------------------------------------------
# Canonical Turtle

class _StableLongTurtle(LongTurtleSerializer):
    """longturtle, with two changes that keep diffs small and the triples exact."""

    def orderSubjects(self):
        # rdflib sorts subjects by how often they are referenced first, so one new
        # reference would move a whole description; by IRI alone, a subject stays put.
        # IRIs come before blank nodes, and blank nodes nothing references ([] a ak:Event)
        # before the others, so citations are written nested in their subject.
        return sorted(self._subjects, key=lambda subject: (
            isinstance(subject, BNode),
            isinstance(subject, BNode) and self._references[subject] > 0, subject))

    def s_squared(self, subject):
        # a blank node nothing references, as the IRI subjects are written: its
        # statements below it, not on the line of its [] ("[]    a ak:Event ;")
        if self._references[subject] > 0 or not isinstance(subject, BNode):
            return False
        self.write("\n" + self.indent() + "[]\n" + self.indent())
        self.predicateList(subject)
        self.write("\n.")
        return True

    def label(self, node, position):
        # rdflib writes numbers and booleans in a short form made from their value, which
        # can change the term ("1500"^^xsd:decimal becomes 1500.0, "1"^^xsd:boolean the
        # integer 1): only a lexical form that is itself a short form is written bare.
        if isinstance(node, Literal):
            short_form = SHORT_FORMS.get(node.datatype)
            if short_form and short_form.fullmatch(node):
                return str(node)
            if node.language:
                return f"{turtle_string(node)}@{node.language}"
            if node.datatype:
                datatype = self.get_pname(node.datatype, gen_prefix=False) or f"<{node.datatype}>"
                return f"{turtle_string(node)}^^{datatype}"
            return turtle_string(node)
        return super().label(node, position)


def turtle_string(text: str) -> str:
    """The Turtle string of a lexical form, quoted as rdflib quotes it (in one quote, or
    in three when it holds a line break), except where rdflib gets it wrong: a long
    string ending in a backslash and a quote kept that quote bare, so it closed the string
    early and the text did not parse back; and control characters are escaped."""
    if "\n" not in text:
        return '"' + escape_controls(text.replace("\\", "\\\\").replace('"', '\\"')) + '"'
    encoded = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if UNESCAPED_FINAL_QUOTE.search(encoded):
        encoded = encoded[:-1] + '\\"'
    return '"""' + escape_controls(encoded) + '"""'


def escape_controls(text: str) -> str:
    """Control characters other than tab and line feed escaped (a carriage return as \\r,
    as rdflib writes it): written bare, a NUL made git take the file for binary and show
    no diff, and an escape sequence changed what a terminal shows of the file."""
    return CONTROL_CHARACTERS.sub(
        lambda found: "\\r" if found.group() == "\r" else f"\\u{ord(found.group()):04X}", text)


def canonical_turtle(triples: Graph | Iterable, header: str = "") -> str:
    """The canonical Turtle text of rdflib triples, after `header` (comment lines).

    The same triples give the same text whatever their order and blank-node ids: blank
    nodes are canonicalised (RDFC-1.0, then named by content), subjects sorted by IRI,
    predicates with rdf:type and rdfs:label first, then by IRI; objects sorted. Blank nodes referenced
    once (citations) are nested as [ ... ]. Only the prefixes of kg.namespaces.PREFIXES
    that are used are declared. The text is parsed back and must give the same triples,
    or InputError is raised: formatting never changes the data.
    """
    if any(line.strip() and not line.startswith("#") for line in header.splitlines()):
        raise ValueError("a header is made of comment lines (starting with #)")
    import pyoxigraph as ox

    from kg.export import canonical
    from kg.store import to_term

    graph = triples if isinstance(triples, Graph) else copy_of(triples)
    # Oxigraph's RDFC-1.0 canonical form, to label blank nodes and to compare the text
    # written with: rdflib.compare took 53 s and 111 s for 10k triples with 2k citations.
    original = canonical(ox.Quad(to_term(s), to_term(p), to_term(o)) for s, p, o in graph)
    # Blank nodes named by their content, so that their order never depends on the
    # input's (longturtle's own canon=True does this through N-Triples, which normalises
    # literals: "017"^^xsd:integer would become "17").
    body = longturtle(named_by_content(graph_of(original)), PREFIXES,
                      lambda text: canonical(parse_text(text)) == original)
    text = "\n\n".join(part for part in (header.strip("\n"), body) if part)
    return text + "\n" if text else ""  # no triples, no comment: an empty file


def longturtle(triples: Iterable, prefixes: dict, parses_back: Callable[[str], bool]) -> str:
    """The Turtle text of triples with canonical blank nodes, in the project's style:
    subjects sorted by IRI, citations nested as [ ... ], no trailing spaces.

    Triples are added in sorted order, so that rdflib's sorting and its generated prefixes
    (ns1:) never depend on the input's order. `parses_back(text)` must confirm the text
    gives the same triples, or InputError is raised: writing never changes the data.
    """
    ordered = Graph(bind_namespaces="none")
    for prefix, namespace in prefixes.items():
        ordered.bind(prefix, namespace)
    for triple in sorted(triples, key=lambda t: tuple(term.n3() for term in t)):
        ordered.add(triple)
    stream = io.BytesIO()
    _StableLongTurtle(ordered).serialize(stream)
    written = stream.getvalue().decode("utf-8")
    # Removing the trailing spaces could change a multi-line literal; then they stay.
    for body in (SPACE_BEFORE_BLANK_NODE_LIST.sub("\n", written), written):
        if parses_back(body):
            return body.strip("\n")
    raise InputError("these triples cannot be written as canonical Turtle without changing "
                     "them (an rdflib serializer limitation); please report it")


def named_by_content(graph: Graph) -> list[tuple]:
    """The triples, each blank node renamed after a digest of what it holds.

    Canonical labels (RDFC-1.0) depend on the whole graph, so one new statement anywhere
    could reorder the citations of an unrelated subject; a label made from the node's own
    description keeps each citation in place. Blank nodes with the same description keep
    their canonical label as well, so that they stay distinct.
    """
    holds = defaultdict(list)
    for subject, predicate, value in graph:
        if isinstance(subject, BNode):
            holds[subject].append((predicate, value))
    nodes = {term for triple in graph for term in triple if isinstance(term, BNode)}
    digests: dict = {}
    # A node's description holds the digests of the blank nodes it holds, not their
    # descriptions (whose repr nested in repr doubled in size at each level), computed
    # once each and without recursion (a list of 1,000 items is a chain 1,000 deep); a
    # node that holds one it is held by is named by that one's label.
    for root in sorted(nodes, key=str):
        stack, on_path = [(root, False)], set()
        while stack:
            node, described = stack.pop()
            if node in digests:
                continue
            if not described:
                on_path.add(node)
                stack.append((node, True))
                stack.extend((value, False) for _, value in holds[node]
                             if isinstance(value, BNode) and value not in on_path)
                continue
            on_path.discard(node)
            description = sorted((predicate.n3(), digests[value] if value in digests
                                  else value.n3()) for predicate, value in holds[node])
            digests[node] = hashlib.sha256(repr(description).encode()).hexdigest()[:20]
    repeated = {digest for digest, count in Counter(digests.values()).items() if count > 1}
    names = {node: BNode("c" + digest + (str(node) if digest in repeated else ""))
             for node, digest in digests.items()}
    return [tuple(names.get(term, term) for term in triple) for triple in graph]


def header_of(text: str) -> str:
    """A file's leading block of comment lines (and blank lines between them)."""
    lines = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            break
        lines.append(line.rstrip())
    return "\n".join(lines).strip("\n")


def header_end(text: str) -> int:
    """Where a file's leading block of comment lines ends in the text as written (the
    header `header_of` gives is trimmed: its length is no place in the file)."""
    end = 0
    for line in text.splitlines(keepends=True):
        if line.strip() and not line.startswith("#"):
            break
        end += len(line)
    return end


def canonical_text_of(path: Path) -> str:
    """The canonical form of one Turtle file, keeping its header."""
    return canonical_turtle(graph_of(parse_file(path)), header_of(read_utf8(path)))


def format_files(inputs: Inputs, check: bool = False,
                 lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> list[Path]:
    """The data files not in canonical form; unless `check`, they are rewritten in it.

    Rewriting needs a writable working copy (InputError otherwise) and happens under the
    data folder's lock, the files replaced all or nothing (kg.writing).
    """
    if check:
        return list(rewrites_of(data_bytes(inputs)))
    require_writable(inputs)
    with data_lock(inputs.data_dir, lock_timeout):
        read = data_bytes(inputs)
        rewrites = rewrites_of(read)
        refuse_if_changed(inputs, read)
        write_all(rewrites)
    return list(rewrites)


def format_diff(inputs: Inputs) -> str:
    """What `kg fmt` would change, as a unified diff (as `diff -u` writes it, files named
    from the current folder when they are in it, so that `patch -p0` applies it); "" when
    every data file is in canonical form."""
    lines = []
    for path, canonical in rewrites_of(read := data_bytes(inputs)).items():
        name = str(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)
        name += "\t" if " " in name else ""  # as git writes it: patch reads a name to a tab
        for line in difflib.unified_diff(lines_of(read[path]), lines_of(canonical),
                                         fromfile=name, tofile=name):
            lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def lines_of(data: bytes) -> list[str]:
    """The lines of a file, each with its \\n; str.splitlines would also end one at a
    carriage return or a U+2028 inside a string."""
    return LINE.findall(data.decode("utf-8"))  # canonical_text_of has read it as UTF-8


def rewrites_of(read: dict[Path, bytes]) -> dict[Path, bytes]:
    """The canonical bytes of each file whose bytes as `read` differ from them."""
    # Bytes are compared, not text: read_utf8 drops a byte order mark, the canonical form has none.
    canonical = {path: canonical_text_of(path).encode("utf-8") for path in read}
    return {path: data for path, data in canonical.items() if read[path] != data}


# ---------------------------------------------------------------------------
# kg add

@dataclass
class AddResult:
    problems: list = field(default_factory=list)   # all that `validate` returned
    written: list[Path] = field(default_factory=list)  # data files rewritten or created
    added: int = 0  # triples added; 0 when refused or when all were there already
    # the quotes new to the graph that went unchecked (no source texts): kg.api.add's count
    unchecked_quotes: int = 0
    fail_on: str = "violation"  # the least severity that refuses the candidates

    @property
    def refused(self) -> bool:
        """True when validation found a problem of `fail_on` severity or worse, so
        nothing was written."""
        return bool(at_or_above(self.problems, self.fail_on))


def add(inputs: Inputs, candidate_paths: Sequence[str | os.PathLike], validate: Validator,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT, fail_on: str = "violation") -> AddResult:
    """Merge the triples of candidate Turtle files into the working copy's data files.

    `validate(candidate_paths)` returns problems (objects with a `severity`); with any of
    `fail_on` severity or worse ("violation", "warning" or "info") nothing is written and
    the result is `refused`. It runs under the lock, so it sees the data the candidates
    are merged into.

    Where triples go: a triple goes to the data file where its subject already appears
    as a subject (the first such file in path order); a blank node goes with the subject
    that references it (citations with their fact). Subjects found in no data file go to
    a new file data/<candidate stem>.ttl (of the first candidate that gives the subject a
    class, else of the first that describes it), whose header is the candidate's leading
    comments; if that file exists already it is used only when it holds some of the
    candidate's subjects (it came from an earlier add of the same candidate), otherwise
    InputError asks to rename the candidate. Triples already present, including
    citations equal to an existing one and blank-node subjects ([] a ak:Event ...) equal
    to one in any data file, are skipped; a citation with the source and quote of one the
    subject has is that one, and its other statements (ak:supports ...) are added to it.
    A file that gains nothing is not rewritten.
    Touched files are rewritten whole, in canonical form; if a data file changed since
    validation began, InputError, and nothing is written.
    """
    at_or_above([], fail_on)  # a misspelt fail_on fails even where nothing else does
    require_writable(inputs)
    paths = [Path(p) for p in candidate_paths]
    refuse_streams(paths)
    refuse_data_files(inputs, paths)
    candidates = [(path, graph_of(parse_file(path))) for path in paths]  # syntax errors first
    with data_lock(inputs.data_dir, lock_timeout):
        validated = data_bytes(inputs)
        problems = list(validate(paths))
        if at_or_above(problems, fail_on):
            return AddResult(problems, fail_on=fail_on)
        data = {path: graph_of(parse_file(path)) for path in inputs.data_files}
        merged = merge(data, candidates, inputs.data_dir)
        added = sum(len(graph) - len(data.get(path, ())) for path, graph in merged.items())
        contents = {path: canonical_turtle(graph, header_for(path, data, candidates))
                    for path, graph in merged.items()}
        refuse_dropping_comments(validated, contents)
        refuse_if_changed(inputs, validated)
        write_all({path: text.encode("utf-8") for path, text in contents.items()})
    return AddResult(problems, list(contents), added, fail_on=fail_on)


def merge(data: dict[Path, Graph], candidates: list[tuple[Path, Graph]],
          data_dir: Path) -> dict[Path, Graph]:
    """The graph of every data file that gains triples, after the merge, by path."""
    home = subject_homes(data)
    # A new subject several candidates describe lives with the one that gives it a class
    # (with its label and citations, mostly), not with whichever candidate came first.
    typed_in: dict[URIRef, Path] = {}
    for candidate_path, candidate in candidates:
        for subject in candidate.subjects(RDF.type, None):
            if isinstance(subject, URIRef) and subject not in home:
                typed_in.setdefault(subject, candidate_path)
    free_blank_nodes = {key for graph in data.values() for key in subject_keys(graph)
                        if not isinstance(key, URIRef)}
    after: dict[Path, Graph] = {}
    blank_node_file: dict[BNode, Path] = {}
    graph_of_candidate = dict(candidates)
    new_files: dict[Path, Path] = {}

    def new_file_of(candidate_path: Path) -> Path:
        """The candidate's new file, checked once, before any of its subjects goes there."""
        if candidate_path not in new_files:
            new_files[candidate_path] = new_file_for(
                candidate_path, graph_of_candidate[candidate_path], data,
                set(home) | free_blank_nodes, data_dir)
        return new_files[candidate_path]

    def graph_of_file(path: Path) -> Graph:
        if path not in after:
            after[path] = copy_of(data.get(path, Graph()))
        return after[path]

    def place(node: BNode, path: Path, candidate: Path) -> None:
        if blank_node_file.setdefault(node, path) != path:
            raise InputError(f"{candidate}: a blank node is shared by subjects that live in "
                             f"{blank_node_file[node].name} and {path.name}: give it an IRI")

    for candidate_path, candidate in candidates:
        new_file = new_file_of(candidate_path)
        for subject in sorted({s for s in candidate.subjects() if isinstance(s, URIRef)}):
            if subject not in home:
                home[subject] = new_file_of(typed_in.get(subject, candidate_path))
            target = home[subject]
            graph = graph_of_file(target)
            for predicate, value in sorted(candidate.predicate_objects(subject)):
                if not isinstance(value, BNode):
                    graph.add((subject, predicate, value))
                    continue
                nested = blank_node_triples(candidate, value)
                for node in {value} | {s for s, _, _ in nested}:
                    place(node, target, candidate_path)
                cited = same_citation(graph, subject, predicate, candidate, value)
                if cited is not None:  # its new statements (ak:supports ...) go to that one
                    for s, p, o in nested:
                        if not (s == value and p in (IN_SOURCE, QUOTE)):  # its own stay
                            graph.add((cited if s == value else s, p, o))
                elif not has_equal_blank_node(graph, subject, predicate, candidate, value):
                    graph.add((subject, predicate, value))
                    for triple in nested:
                        graph.add(triple)
        # Blank nodes no IRI subject references ([] a ak:Event ...) have no home but the
        # new file, unless the data holds an equal one already (added twice, or restated).
        for node in sorted(free_subjects(candidate)):
            nested = blank_node_triples(candidate, node)
            for held in {s for s, _, _ in nested}:
                place(held, new_file, candidate_path)
            content = description(candidate, node)
            if content not in free_blank_nodes:
                free_blank_nodes.add(content)
                for triple in nested:
                    graph_of_file(new_file).add(triple)
        # Nor do blank nodes that only reference each other, round a cycle.
        for triple in candidate:
            if isinstance(triple[0], BNode) and triple[0] not in blank_node_file:
                graph_of_file(new_file).add(triple)
    return {path: graph for path, graph in sorted(after.items())
            if len(graph) > len(data.get(path, ()))}


def header_for(path: Path, data: dict[Path, Graph], candidates: list[tuple[Path, Graph]]) -> str:
    """A data file keeps its header; a new file takes that of the candidate it is named after."""
    source = path if path in data else next(c for c, _ in candidates if c.stem == path.stem)
    return header_of(read_utf8(source))


def subject_homes(data: dict[Path, Graph]) -> dict[URIRef, Path]:
    """Each IRI subject's data file (the first in path order if it is in several)."""
    home: dict[URIRef, Path] = {}
    for path in sorted(data):
        for subject in data[path].subjects(unique=True):
            if isinstance(subject, URIRef):
                home.setdefault(subject, path)
    return home


def new_file_for(candidate_path: Path, candidate: Graph, data: dict[Path, Graph],
                 known: set, data_dir: Path) -> Path:
    """data/<candidate stem>.ttl, the file for the candidate's new subjects.

    An existing file of that name is refused unless it already holds some of the
    candidate's subjects: new subjects must not land in an unrelated file by accident.
    `known` holds the subjects already somewhere, as `subject_keys` gives them.
    """
    path = data_dir / f"{candidate_path.stem}.ttl"
    subjects = subject_keys(candidate)
    if subjects - known and path in data and not subjects & subject_keys(data[path]):
        raise InputError(f"{candidate_path}: its new subjects would go to {path}, which already "
                         "exists and holds none of its subjects: rename the candidate file, or, "
                         f"to add to {path.name}, say something in it of a subject that file "
                         "holds (such as a citation of a fact there)")
    return path


def subject_keys(graph: Graph) -> set:
    """The graph's subjects as they can be matched across files: IRIs as themselves, blank
    nodes nothing references by their content (their ids differ from file to file), and
    not the blank nodes a subject holds (citations)."""
    return ({s for s in graph.subjects(unique=True) if isinstance(s, URIRef)}
            | {description(graph, node) for node in free_subjects(graph)})


def free_subjects(graph: Graph) -> set[BNode]:
    """The blank-node subjects nothing references (a fact written as [] a ak:Event ...)."""
    return {s for s in graph.subjects(unique=True)
            if isinstance(s, BNode) and (None, None, s) not in graph}


def blank_node_triples(graph: Graph, node: BNode) -> list:
    """The triples of a blank node and of the blank nodes nested in it."""
    triples, todo, seen = [], [node], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for predicate, value in graph.predicate_objects(current):
            triples.append((current, predicate, value))
            if isinstance(value, BNode):
                todo.append(value)
    return triples


def same_citation(graph: Graph, subject, predicate, candidate: Graph, node: BNode) -> BNode | None:
    """The citation `subject predicate [...]` already has with the source and quote of the
    candidate's citation `node`, if any: a citation is known by its source and quote."""
    key = citation_key(candidate, node)
    return next((value for value in graph.objects(subject, predicate)
                 if key and isinstance(value, BNode) and citation_key(graph, value) == key), None)


def citation_key(graph: Graph, node) -> tuple | None:
    """A citation's source and quote, the quote as a test finds it in its source: runs of
    white space as one space, typographic quotes as plain ones."""
    from kg.lint import normalise  # here: kg fmt, which merges nothing, need not import it

    source, quote = graph.value(node, IN_SOURCE), graph.value(node, QUOTE)
    return (source, normalise(str(quote))) if source is not None and quote is not None else None


def has_equal_blank_node(graph: Graph, subject, predicate, candidate: Graph, node: BNode) -> bool:
    """Whether `subject predicate [...]` already has a blank node equal to `node`.

    Blank-node ids differ between files, so a citation is compared by its content.
    """
    wanted = description(candidate, node)
    return any(isinstance(value, BNode) and description(graph, value) == wanted
               for value in graph.objects(subject, predicate))


def description(graph: Graph, node, enclosing: tuple = ()):
    """A blank node's content as a nested value that does not depend on blank-node ids."""
    if not isinstance(node, BNode):
        return node
    if node in enclosing:
        return "cycle"
    return frozenset((predicate, description(graph, value, enclosing + (node,)))
                     for predicate, value in graph.predicate_objects(node))


# ---------------------------------------------------------------------------
# Safe writing

def require_writable(inputs: Inputs) -> None:
    if not inputs.writable:
        raise InputError(f"{inputs.data_dir}: the data bundled with the package is read-only: "
                         "work in a clone (--data DIR or $KG_DATA)")


def refuse_streams(paths: list[Path]) -> None:
    """InputError for a candidate that is a pipe or a device: kg add reads a candidate
    more than once, and names a new data file after it."""
    for path in paths:
        if is_stream(path):
            raise InputError(f"{path}: is not a file: kg add reads candidate files; save the "
                             f"Turtle to a file named for what it adds, then add that file")


def refuse_data_files(inputs: Inputs, paths: list[Path]) -> None:
    """InputError for a candidate that is one of the data files: its triples are in the
    graph already, so kg add found nothing to add and left the file as it was written."""
    data_files = {path.resolve() for path in inputs.data_files}
    for path in paths:
        try:
            real = path.resolve()
        except RuntimeError as exc:  # links that loop, before Python 3.13
            raise InputError(f"{path}: cannot read ({exc})") from None
        if real in data_files:
            raise InputError(f"{path}: is a data file of this graph already: kg add merges "
                             "files from outside data/; check this one with kg validate and "
                             "format it with kg fmt")


def data_bytes(inputs: Inputs) -> dict[Path, bytes]:
    return {path: read_bytes(path) for path in inputs.data_files}


def refuse_dropping_comments(read: dict[Path, bytes], contents: dict[Path, str]) -> None:
    """InputError for a data file to rewrite that has a comment past its leading block:
    the canonical form keeps only that block, so kg add dropped it unsaid."""
    for path in sorted(contents):
        line = first_dropped_comment(read[path]) if path in read else None
        if line is not None:
            raise InputError(f"{path}:{line}: a comment past the file's leading block, which "
                             "the rewrite would drop: move it into a skos:editorialNote, or "
                             "run kg fmt (which drops it), then kg add again")


def dropped_comments(inputs: Inputs) -> list[tuple[Path, int]]:
    """(file, line) of the first comment past its leading block of each data file that
    has one: the canonical form keeps only that block."""
    found = ((path, first_dropped_comment(data)) for path, data in data_bytes(inputs).items())
    return sorted((path, line) for path, line in found if line is not None)


def first_dropped_comment(data: bytes) -> int | None:
    """The line of a file's first comment past its leading block, if any."""
    from kg.positions import marks

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # not for this note to say: reading it for the rewrite says where
        return None
    comment = next((start for start, _ in marks(text, header_end(text), len(text))
                    if text[start] == "#"), None)
    return None if comment is None else text.count("\n", 0, comment) + 1


def refuse_if_changed(inputs: Inputs, read: dict[Path, bytes]) -> None:
    """InputError if a data file changed since it was read: the lock holds off other kg
    writers, not an editor, whose save the rewrite would undo (or whose edit kg add
    would merge unvalidated)."""
    now = data_bytes(inputs)
    changed = sorted(path for path in read.keys() | now.keys() if read.get(path) != now.get(path))
    if changed:
        raise InputError(f"{changed[0]}: changed during this run (saved by an "
                         "editor?): nothing written; run the command again")


@contextmanager
def data_lock(data_dir: Path, timeout: float = DEFAULT_LOCK_TIMEOUT):
    """Hold an exclusive lock on the data folder, so that two writers cannot interleave.

    The lock is fcntl.flock on data/.kg.lock (the file is left in place: removing it
    would let a waiting writer lock a file a new one no longer sees). Temporary files
    left by a killed run are removed once the lock is held.
    """
    path = data_dir / LOCK_FILE
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise InputError(f"{path}: cannot create the lock file ({exc.strerror})") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise InputError(f"{data_dir}: another kg add or kg fmt is writing here (it "
                                     f"holds {path}); gave up after {timeout:g} s") from None
                time.sleep(min(0.05, timeout))
        for stale in data_dir.glob(f".*{TEMP_SUFFIX}"):
            stale.unlink(missing_ok=True)
        yield
    finally:
        os.close(descriptor)  # releases the lock


# ---------------------------------------------------------------------------
# Terms

def parse_text(text: str) -> list:
    """Quads of Turtle text, parsed strictly by Oxigraph (as kg.loading.parse_file does)."""
    import pyoxigraph as ox

    try:
        return list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise InputError(f"canonical Turtle does not parse back ({exc}); please report it") from None


def graph_of(quads: Iterable) -> Graph:
    """An rdflib Graph of pyoxigraph quads, with every term exactly as written."""
    return add_triples(Graph(bind_namespaces="none"), quads)


def copy_of(triples: Iterable) -> Graph:
    copy = Graph(bind_namespaces="none")
    for triple in triples:
        copy.add(triple)
    return copy
