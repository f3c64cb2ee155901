"""Where the graph's input files are, what their content key is, and how they are parsed.

Importing this module is cheap (no rdflib): the query path only needs the file list and
the content key; parsing happens only when the compiled graph must be (re)built.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import re
import stat
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError, expect
from kg.safety import text_position

PACKAGE_DIR = Path(__file__).resolve().parent
# A wheel carries ontology/, data/ and queries/ under kg/bundled (see pyproject.toml);
# a source checkout has them beside the kg/ folder.
BUNDLED_ROOT = PACKAGE_DIR / "bundled"
SOURCE_ROOT = PACKAGE_DIR.parent
DATA_ENV = "KG_DATA"
# The digest that names a build (its hex is twice as long)
CONTENT_KEY_BYTES = 16

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# Large enough for a million-triple data file (about 35 MiB); a larger input is refused
# rather than exhausting memory.
MAX_INPUT_BYTES = 256 * 2**20
# RDF serialisations kg does not read: it parses no XML (no DTDs or entities) and
# fetches no JSON-LD context.
OTHER_RDF_SUFFIXES = {".rdf", ".xml", ".owl", ".jsonld", ".json", ".nq", ".trig", ".n3"}
# Oxigraph's message for a relative IRI when there is no base IRI.
NO_SCHEME = "No scheme found in an absolute IRI"
END_OF_FILE = "Unexpected end of file"
DOT_EXPECTED = "A dot is expected at the end of statements"
BRACKET_EXPECTED = "blank node property lists should end with a ']'"
END_IN_STATEMENT = "Unexpected end"  # Oxigraph's words for a file that ends mid-statement
NOT_A_SUBJECT = "is not a valid subject or graph name"  # Oxigraph's words
NOT_A_PREDICATE = "is not a valid predicate"
LINE_JUMP = "Line jumps are not allowed in string literals"
BAD_ESCAPE = re.compile(r"Unexpected escape character '\\(.)'")
UNCLOSED = {'"': "string", "'": "string", "<": "IRI"}  # by the character opening it
# a set, not a string: "" (the text at an error past the line's end) is in every string
TYPOGRAPHIC_QUOTES = frozenset("\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e")
VERSION_WORD = re.compile(r"(?i)version\s*[\"']")
# Turtle ends a line at \n, at \r\n and at a lone \r (old Mac files), as Oxigraph counts
# lines in its syntax errors.
LINE_BREAK = re.compile(r"\r\n?")
RDF_12_MARKS = ("<<", "{|", "~", "--")  # triple terms, annotations, reifiers, directions
RDF_12_REFUSAL = ("RDF 1.2 syntax (triple terms, reified triples, annotations, text directions, "
                  "VERSION) is not supported: write RDF 1.1 Turtle")
ONTOLOGY_FILES = ("alliance-kg.ttl", "concepts.ttl")
SHAPES_FILE = "shapes.ttl"
STDIN = "<stdin>"  # how standard input is named in messages


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused, then resumed (usable as a decorator).

    Each of its full collections walks every object alive, so with an rdflib graph of
    millions of terms in memory it took a fifth of the time of validating a million
    triples, and with a million parsed quads a third of the time of parsing them.
    Reference counting still frees all acyclic garbage meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def default_root() -> Path:
    return BUNDLED_ROOT if BUNDLED_ROOT.is_dir() else SOURCE_ROOT


@dataclass(frozen=True)
class Inputs:
    """The files one graph is built from: ontology, shapes, curated data and canned queries."""

    ontology_dir: Path
    data_dir: Path
    queries_dir: Path
    writable: bool

    @property
    def ontology_files(self) -> list[Path]:
        return [self.ontology_dir / name for name in ONTOLOGY_FILES]

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / SHAPES_FILE

    @property
    def data_files(self) -> list[Path]:
        return turtle_files(self.data_dir)

    @property
    def graph_files(self) -> list[Path]:
        """The Turtle files whose union is the asserted graph."""
        return self.ontology_files + self.data_files

    @property
    def key_files(self) -> list[Path]:
        """Every file the compiled graph depends on: the graph's, then the shapes."""
        return self.graph_files + [self.shapes_file]


def find_inputs(data: str | os.PathLike | None = None) -> Inputs:
    """The inputs named by `data` (or $KG_DATA), else those bundled with the package.

    `data` may be a working copy (a folder holding data/) or a data folder itself; its
    ontology/ and queries/ are used when the working copy has them, the bundled ones
    otherwise.
    """
    if data is not None:
        expect(data, (str, os.PathLike), "data", "a working copy's or data folder's path")
    bundled = default_root()
    chosen = data if data is not None else os.environ.get(DATA_ENV) or None
    if chosen is None:
        return Inputs(bundled / "ontology", bundled / "data", bundled / "queries",
                      writable=bundled == SOURCE_ROOT)
    path = local_path(chosen, "data folder")
    if path.is_file():
        raise InputError(f"{chosen}: is a file, not a data folder (to check a file of facts: "
                         f"kg validate FILE)")
    if not path.is_dir():
        raise InputError(f"{chosen}: data folder not found")
    data_dir = path / "data" if (path / "data").is_dir() else path
    if not turtle_files(data_dir):
        raise InputError(f"{data_dir}: no .ttl files in this data folder")
    root = data_dir.parent

    def beside(name: str) -> Path:
        return root / name if (root / name).is_dir() else bundled / name

    return Inputs(beside("ontology"), data_dir, beside("queries"),
                  writable=not data_dir.is_relative_to(BUNDLED_ROOT))


def turtle_files(folder: Path) -> list[Path]:
    """The .ttl files of a folder and its subfolders (not those behind a link to a
    folder), sorted; an InputError for a subfolder that cannot be read, which rglob
    skipped without a word, leaving its triples out of the graph."""
    def refuse(error: OSError):
        raise unreadable_folder(error)

    files = sorted(Path(top) / name for top, _, names in os.walk(folder, onerror=refuse)
                   for name in names if name.endswith(".ttl"))
    for path in files:
        refuse_pipe(path, "in a folder of the graph")
    return files


def refuse_pipe(path: Path, where: str) -> None:
    """InputError for a named pipe (FIFO) that kg would read as a file: opening one waits
    for a writer, forever if none comes (a device is read, up to MAX_INPUT_BYTES)."""
    if stat.S_ISFIFO(file_mode(path)):
        raise InputError(f"{path}: a named pipe, not a file, {where}: kg would wait on it "
                         f"forever")


def unreadable_folder(error: OSError) -> InputError:
    return InputError(f"{error.filename}: cannot read this folder ({error.strerror})")


def local_path(given: str | os.PathLike, what: str, resolve: bool = True) -> Path:
    """A path given by the user with ~ expanded (and, with `resolve`, made absolute); an
    InputError where ~user names no user or links loop (Python raised RuntimeError)."""
    refuse_empty(given, what)
    try:
        path = Path(given).expanduser()
        return path.resolve() if resolve else path
    except (RuntimeError, OSError) as exc:
        raise InputError(f"{given}: not a usable {what} ({exc})") from None


def refuse_empty(given: str | os.PathLike, what: str) -> None:
    """InputError for an empty path, which Path() takes for the current folder: `--data ''`
    read every .ttl file below it."""
    if not os.fspath(given):
        raise InputError(f"'' names no {what}: give its path")


def sources_folder(sources: str | os.PathLike | None) -> Path | None:
    """The folder of source texts that quotes are checked against, or None; an
    InputError if there is no such folder (each quote would be reported missing)."""
    if sources is None:
        return None
    expect(sources, (str, os.PathLike), "sources", "a folder's path")
    refuse_empty(sources, "sources folder")
    if not Path(sources).is_dir():
        raise InputError(f"{sources}: sources folder not found")
    return Path(sources)


@dataclass(frozen=True)
class TurtleText:
    """Turtle that kg reads in place of a file: standard input (`kg validate -`), read
    once as it may be read only once, text given to kg.validate_text, or a file's bytes
    as they were read once (see read_texts). Messages name it as compilers name such
    input (`<stdin>`, `<string>`), or by the file's path."""

    data: bytes
    name: str
    suffix = ""

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_file(cls, path: Path) -> TurtleText:
        return cls(read_bytes(path), str(path))

    @classmethod
    def from_stdin(cls) -> TurtleText:
        return cls(read_bounded(sys.stdin.buffer, STDIN), STDIN)

    @classmethod
    def from_text(cls, text: str, name: str) -> TurtleText:
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate, which no RDF term can hold
            line, column = text_position(text, exc.start)
            raise InputError(f"{name}:{line}:{column}: not Unicode text (a lone surrogate, "
                             f"U+{ord(text[exc.start]):04X})") from None
        refuse_if_too_large(name, len(data), "text")
        return cls(data, name)


def read_texts(files: list[Path]) -> list[TurtleText]:
    """Each file's bytes, read now, named by its path. A build is parsed from the very
    bytes its key is a digest of: reading the files again for it, an edit in between
    left a build whose content was not that of its key, and no later command rebuilt it."""
    return [TurtleText.from_file(path) for path in files]


def content_key(salt: str, texts: list[TurtleText]) -> str:
    """A digest (CONTENT_KEY_BYTES long) of every input's name and bytes: any change
    gives a new key."""
    digest = hashlib.blake2b(salt.encode(), digest_size=CONTENT_KEY_BYTES)
    for text in texts:
        digest.update(os.fsencode(Path(text.name).name) + b"\0")
        digest.update(text.data)
        digest.update(b"\0")
    return digest.hexdigest()


def read_once(files: list) -> list:
    """The candidates, each one that can be read only once (a pipe: a FIFO, /dev/stdin,
    bash's <(...)) read now into a TurtleText named by its path. Validation reads a
    candidate twice (its triples, then where each is written): the second reading of a
    FIFO waited forever, that of /dev/stdin found nothing."""
    return [TurtleText.from_file(path) if is_stream(path) else path for path in files]


def is_stream(path) -> bool:
    """Whether `path` names something to read other than a file (a pipe, a device)."""
    mode = file_mode(path) if isinstance(path, Path) else stat.S_IFREG
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def file_mode(path: Path) -> int:
    """The path's st_mode; that of a file where it cannot be read (reading it then says
    what is wrong)."""
    try:
        return path.stat().st_mode
    except OSError:
        return stat.S_IFREG


def read_bytes(path: Path | TurtleText) -> bytes:
    """A file's bytes, or an InputError naming the file; never more than MAX_INPUT_BYTES.

    The size is checked before reading, and the reading itself is bounded too: a device
    or a link to one (/dev/zero) has no size and would never end.
    """
    if isinstance(path, TurtleText):
        return path.data
    try:
        with path.open("rb") as file:
            refuse_if_too_large(str(path), os.fstat(file.fileno()).st_size, "file")
            return read_bounded(file, str(path))
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def refuse_if_too_large(origin: str, size: int, what: str) -> None:
    if size > MAX_INPUT_BYTES:
        raise InputError(f"{origin}: {what} is too large ({size / 2**20:.0f} MiB; the limit "
                         f"is {MAX_INPUT_BYTES // 2**20} MiB): split it")


def read_bounded(stream, origin: str) -> bytes:
    """At most MAX_INPUT_BYTES of a binary stream, or an InputError: a device, a pipe or
    standard input may never end."""
    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{origin}: more than {MAX_INPUT_BYTES // 2**20} MiB to read (a "
                         f"device, or a file still growing?): kg reads up to that size")
    return data


def line_feeds_only(text: str) -> str:
    """The text with each line break written \\n, so that lines count as Oxigraph's do."""
    return LINE_BREAK.sub("\n", text)


def read_utf8(path: Path) -> str:
    """A file's exact text (no newline translation, no byte order mark), or an InputError
    naming the file."""
    return decode_utf8(read_bytes(path), str(path))


def decode_utf8(data: bytes, origin: str) -> str:
    """UTF-8 text without its leading byte order mark (Notepad writes one), which is no
    part of the text: it would be a stray character at line 1, column 1."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        before = data[line_start:exc.start].decode("utf-8")  # valid up to the bad byte
        column = len(before.removeprefix("\ufeff") if line_start == 0 else before) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{origin}:{line}:{column}: not UTF-8 text (byte "
                         f"0x{data[exc.start]:02X}): save it as UTF-8") from None
    return text.removeprefix("\ufeff")


def check_utf8(text: str, what: str) -> str:
    """`text`, if it is Unicode text. Python hands over a command-line argument that is
    not UTF-8 with each byte it could not decode as a lone surrogate, which no RDF term
    or query can hold (pyoxigraph raises an error of its own on it)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        byte = ord(text[exc.start]) - 0xDC00  # the byte, as surrogateescape keeps it
        detail = f"byte 0x{byte:02X}" if 0x80 <= byte <= 0xFF else f"character {exc.start + 1}"
        raise InputError(f"{what}: not UTF-8 text ({detail}): give it in UTF-8") from None
    return text


def parse_file(path: Path) -> list:
    """The triples of one Turtle file as pyoxigraph quads, parsed strictly from its bytes.

    Oxigraph's parser follows the Turtle grammar to the letter (rdflib's accepts much
    that the spec forbids) and says where an error is: it becomes `file:line:column`.
    """
    import pyoxigraph as ox

    if path.suffix.lower() in OTHER_RDF_SUFFIXES:
        raise InputError(f"{path}: kg reads Turtle only; convert this {path.suffix} file to "
                         f"Turtle (.ttl) first")
    text = read_utf8(path)  # Oxigraph would replace a bad byte silently
    try:
        # No base IRI: a relative IRI without @base is an error at its place, not an IRI
        # made of where the file happens to be (file:///home/...), merged into the data.
        quads = list(ox.parse(text, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True))
    except SyntaxError as exc:
        text = line_feeds_only(text)
        message = turtle_syntax_error(exc)
        position = syntax_error_position(exc)
        syntax = other_syntax(text, exc)
        if syntax:
            message = (f"this is {syntax}, not Turtle: kg reads Turtle only; convert it to "
                       f"Turtle first")
        elif message == NO_SCHEME:
            message = (f"{written_at(text, exc)} is a relative IRI, and no @base resolves it: "
                       f"write a prefixed name (akd:name) or a full IRI, or declare @base")
        elif message == END_OF_FILE and written_at(text, exc)[:1] in UNCLOSED:
            # Oxigraph places the error where the string or IRI opens: say what is open
            message = (f"the {UNCLOSED[written_at(text, exc)[0]]} opened here is never closed: "
                       f"the file ends inside it"
                       f"{typographic_close_hint(text, exc.lineno or 1, exc.offset or 1)}")
        elif (message.startswith(LINE_JUMP)
              and (opened := unclosed_string_column(text, exc.lineno or 1))):
            # Oxigraph places it at the line's end: the place to fix is the string's start
            position = f"{exc.lineno}:{opened}"
            message = ("the string opened here is not closed on its line: close it with the "
                       "quote that opens it (a string of several lines goes between triple "
                       f'quotes, """...""")'
                       f"{typographic_close_hint(text, exc.lineno, opened)}")
        elif message in (END_OF_FILE, END_IN_STATEMENT):
            message = ("the file ends inside a statement: finish the statement, and end it "
                       "with a dot")
        elif BAD_ESCAPE.fullmatch(message):  # a Markdown escape copied with its words: \$431
            message += (" (a string escapes only \\t \\b \\n \\r \\f \\\" \\' \\\\ and \\uXXXX: "
                        f"write {BAD_ESCAPE.fullmatch(message)[1]} without the backslash)")
        elif message == DOT_EXPECTED:
            message += missing_separator_hint(text, exc)
        elif message.endswith(NOT_A_SUBJECT):
            message += comma_for_semicolon_hint(text, exc)
        elif written_at(text, exc)[:1] in TYPOGRAPHIC_QUOTES:  # pasted from an article
            message += " (a typographic quote: write a string between straight quotes, \"...\")"
        elif message == BRACKET_EXPECTED:  # before a property: the value lacks its ;
            message += (" (or a ; is missing before this: end the value before it with ; to "
                        "give the [...] another property)")
        message += prefix_declaration_hint(message)
        raise InputError(f"{path}:{position}: {message}") from None
    refuse_rdf_12(path, text, quads)
    return quads


def refuse_rdf_12(path: Path, text: str, quads: list) -> None:
    """An InputError at the first RDF 1.2 syntax, which Oxigraph reads: kg, rdflib and
    pyshacl know no triple terms (they crashed on one) or text directions (dropped)."""
    from kg.output import is_rdf_12_term
    from kg.positions import rdf_12_syntax

    # RDF 1.2 terms are written with one of these marks: looking for them first takes 0.1 s
    # of a 1M-triple build, where looking at every object takes 0.3 s
    has_rdf_12_terms = any(mark in text for mark in RDF_12_MARKS) and any(
        is_rdf_12_term(quad.object) for quad in quads)
    # A VERSION directive changes no triple; it is looked for only where the word is.
    if has_rdf_12_terms or VERSION_WORD.search(text):
        found = rdf_12_syntax(line_feeds_only(text))
        if found:
            line, column, written = found
            raise InputError(f"{path}:{line}:{column}: {written}: {RDF_12_REFUSAL}")
        if has_rdf_12_terms:  # written in some way the scan does not know
            raise InputError(f"{path}: {RDF_12_REFUSAL}")


def prefix_declaration_hint(message: str) -> str:
    """How to declare the prefix an error says is undeclared (the IRI, for kg's own
    prefixes), else ""."""
    from kg.namespaces import PREFIXES

    undeclared = re.fullmatch(r"The prefix ([^ ]*): has not been declared", message)
    if not undeclared:
        return ""
    prefix = undeclared[1]
    if prefix in PREFIXES:
        return f" (declare it: @prefix {prefix}: <{PREFIXES[prefix]}> .)"
    import difflib  # only for this hint

    close = difflib.get_close_matches(prefix, list(PREFIXES), n=1, cutoff=0.7)
    guess = f"did you mean {close[0]}:? else " if close else ""
    return f" ({guess}declare it: @prefix {prefix}: <IRI> .)"


def missing_separator_hint(text: str, exc: SyntaxError) -> str:
    """Where Oxigraph expects a dot before the first word of a line, the line before
    most likely lacks its , (a list of values goes on), ; (the statement goes on) or dot:
    say which line."""
    lines = text.split("\n")
    row = (exc.lineno or 1) - 1
    if row >= len(lines) or lines[row][:(exc.offset or 1) - 1].strip():
        return ""
    before = next((i for i in range(row - 1, -1, -1)
                   if lines[i].strip() and not lines[i].lstrip().startswith("#")), None)
    if before is None or lines[before].rstrip()[-1:] in (";", ",", ".", "[", "("):
        return ""
    return (f" (line {before + 1} ends with none of , ; and .: end it with , to give the "
            f"same property another value, with ; to say more of the same subject, or with . "
            f"to end its statement)")


def other_syntax(text: str, exc: SyntaxError) -> str | None:
    """The RDF syntax a text is written in where Turtle fails, or None: JSON-LD opens with
    an object ({ and a key or }), RDF/XML with an XML declaration or element (an IRI holds
    no space); TriG has graph blocks, { ... } or GRAPH, where Turtle has a statement or a
    subject's property."""
    start = text.lstrip()
    if re.match(r'\[?\s*\{\s*("|\}|$)', start):
        return "JSON-LD"
    if re.match(r"<(\?xml|rdf:RDF)\s", start):
        return "RDF/XML"
    written = written_at(text, exc)
    in_graph_place = turtle_syntax_error(exc).endswith((NOT_A_SUBJECT, NOT_A_PREDICATE))
    if in_graph_place and (written.startswith("{") or written.upper() == "GRAPH"):
        return "TriG"
    return None


def unclosed_string_column(text: str, line_number: int) -> int | None:
    """The column of the quote that opens a one-line string left open at the end of the
    line, if one is (outside IRIs and comments; escapes skipped)."""
    line, column, closing = text.split("\n")[line_number - 1], 0, None
    opened = None
    while column < len(line):
        char = line[column]
        if closing:
            if char == "\\":
                column += 1
            elif line.startswith(closing, column):
                column += len(closing) - 1
                closing = None
        elif char in "\"'":
            closing = char * 3 if line.startswith(char * 3, column) else char
            opened = column + 1
            column += len(closing) - 1
        elif char == "<":
            column = max(line.find(">", column), column)
        elif char == "#":
            break
        column += 1
    return opened if closing and len(closing) == 1 else None


def typographic_close_hint(text: str, line_number: int, opened: int) -> str:
    """Where a string that is not closed has a typographic quote after its opening (at
    column `opened`) on its line, the last one: most likely the closing quote, pasted from
    an article."""
    line = text.split("\n")[line_number - 1]
    last = max(line.rfind(quote, opened) for quote in TYPOGRAPHIC_QUOTES)
    if line[opened - 1:opened] != '"' or last < 0:
        return ""
    return (f" (its line closes it with the typographic {line[last]} at column {last + 1}: "
            f"write a straight \")")


def comma_for_semicolon_hint(text: str, exc: SyntaxError) -> str:
    """Where Oxigraph finds a value in a subject's place after one name that starts its
    line, and the line before ends with a comma: the comma made that name (a property)
    another value of the list, where a ; would have gone on with it."""
    lines = text.split("\n")
    row = (exc.lineno or 1) - 1
    name = lines[row][:(exc.offset or 1) - 1].strip()
    before = next((i for i in range(row - 1, -1, -1)
                   if lines[i].strip() and not lines[i].lstrip().startswith("#")), None)
    if not name or " " in name or before is None or not lines[before].rstrip().endswith(","):
        return ""
    return (f" (line {before + 1} ends with , which makes {name} another value: end it with "
            f"; to say more of the same subject)")


def syntax_error_position(exc: SyntaxError) -> str:
    return f"{exc.lineno or 1}:{exc.offset or 1}"


def written_at(text: str, exc: SyntaxError) -> str:
    """The text a syntax error spans on its line (Oxigraph counts columns in characters)."""
    line = text.split("\n")[exc.lineno - 1] if exc.lineno else ""
    return line[(exc.offset or 1) - 1:(exc.end_offset or 1) - 1 if exc.end_lineno == exc.lineno
                else None]


def turtle_syntax_error(exc: SyntaxError) -> str:
    """Oxigraph's message without its own 'at line N between columns A and B' prefix."""
    message = " ".join(str(exc.msg if hasattr(exc, "msg") else exc).split())
    return re.sub(r"^Parser error (at line \d+ (between columns \d+ and \d+|column \d+)|"
                  r"between line \d+ column \d+ and line \d+ column \d+): ", "", message)


def parse_turtle(paths, graph=None):
    """Parse Turtle files strictly into one rdflib Graph (see `parse_file`)."""
    import rdflib

    graph = graph if graph is not None else rdflib.Graph()
    for path in paths:
        add_triples(graph, parse_file(path))
    return graph


def add_triples(graph, triples):
    """Add pyoxigraph triples (or quads) to an rdflib graph (see `rdflib_triples`);
    returns the graph. Twice as fast as rdflib's own N-Triples parser, and lighter."""
    graph.addN((*triple, graph) for triple in rdflib_triples(triples))
    return graph


def rdflib_triples(triples):
    """pyoxigraph triples (or quads) as rdflib (subject, predicate, object) tuples.

    Each distinct term is converted once (by `to_rdflib`) and shared by every triple that
    uses it.
    """
    import logging

    term = functools.lru_cache(maxsize=None)(to_rdflib)
    # rdflib logs a traceback for each ill-typed literal; kg.lint reports them instead.
    # A filter of this conversion's own, not the logger's level: the level is the
    # integrator's, and would stay changed for the whole process.
    def no_records(record):
        return False

    logger = logging.getLogger("rdflib.term")
    logger.addFilter(no_records)
    try:
        for t in triples:
            yield term(t.subject), term(t.predicate), term(t.object)
    finally:
        logger.removeFilter(no_records)


def to_rdflib(term):
    """The rdflib term of a pyoxigraph term, a literal's lexical form unchanged.

    rdflib would normalise literals ("017"^^xsd:integer to "17", "PT"^^xsd:duration to
    "P0D", "maybe"^^xsd:boolean to "false"): formatting must keep what the curator wrote,
    and lint must see the ill-typed form to report it.
    """
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language, normalize=False)
    if term.datatype.value == XSD_STRING:  # rdflib's own parsers give simple literals
        return Literal(term.value, normalize=False)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
