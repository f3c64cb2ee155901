"""Rows of RDF terms printed as a table, CSV, TSV, SPARQL JSON, JSON lines or Markdown.

`json` is the SPARQL 1.1 Query Results JSON format and always carries raw terms; the other
formats show an IRI as its label (or CURIE) unless raw IRIs are asked for.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence

import pyoxigraph as ox

FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown")
# What a CONSTRUCT or DESCRIBE can also be written as: its triples, as RDF.
TRIPLE_FORMATS = ("turtle", "ntriples")
# Long cells (quotes) wrap in a terminal table rather than making it unreadably wide.
TABLE_CELL_WIDTH = 48
# How narrow a cell may wrap to fit a table in the terminal: narrower, words break apart.
NARROWEST_CELL = 12
LONGEST_WHOLE_WORD = 16  # columns: a longer word in a narrowed column is cut
WORD_PIECE = re.compile(r"[^\s-]*-?")  # what textwrap keeps on one line: a word, to a hyphen

Label = Callable[[ox.NamedNode | ox.BlankNode], str]
# Escaped in a table or Markdown, where a raw tab, carriage return, NUL, line separator
# or bidi override garbles the terminal or the table; a line break stays (cells wrap there).
INVISIBLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Characters XML 1.0 has no way to write, even escaped (SPARQL XML results, RDF/XML, GraphML).
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

NON_ASCII = re.compile(r"[^\x00-\x7f]")
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = {XSD + name for name in (
    "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
# In Markdown a backslash before ASCII punctuation escapes it, and shows only if doubled.
ESCAPING_BACKSLASH = re.compile(r"\\(?=[!-/:-@[-`{-~])")
# Characters that Markdown reads as table, emphasis, code, link, strikethrough, HTML or
# entity syntax inside a table cell (CommonMark lets any ASCII punctuation be escaped).
MARKDOWN_SYNTAX = re.compile(r"[|*_`\[\]<~&]")


def used_prefixes(quads) -> dict[str, str]:
    """Those of kg's prefixes that the triples or quads use, for a Turtle or TriG header."""
    from kg.namespaces import PREFIXES

    iris = {t.value for q in quads
            for t in (q.subject, q.predicate, q.object, getattr(q, "graph_name", None))
            if isinstance(t, ox.NamedNode)}
    iris |= {q.object.datatype.value for q in quads if isinstance(q.object, ox.Literal)}
    return {prefix: ns for prefix, ns in PREFIXES.items()
            if any(iri.startswith(ns) for iri in iris)}


def write_triples(rows: Sequence[Sequence], fmt: str) -> None:
    """Rows of (subject, predicate, object) as Turtle (with those of kg's prefixes they
    use) or N-Triples, on standard output."""
    triples = [ox.Triple(*row) for row in rows]
    if fmt == "turtle":
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used_prefixes(triples))
    else:
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def write_rows(variables: Sequence[str], rows: Sequence[Sequence], fmt: str,
               label: Label | None,
               boolean: bool | None = None, count: bool = True, out=None) -> None:
    """Print rows of pyoxigraph terms (None for unbound) in the given format.

    `label` turns an IRI into display text; None means show full IRIs. `boolean`, an ASK
    query's answer, is what json prints for it, as the SPARQL JSON results format has it.
    `count` ends a table with its number of rows. `out` is a text stream to write to
    instead of standard output (a table then fits no window).
    """
    room = None
    if out is None:
        out = stdout_for(fmt)
        room = terminal_width(out)
    if fmt == "json":
        document = sparql_json(variables, rows) if boolean is None else {"head": {},
                                                                         "boolean": boolean}
        # in one write: json.dump writes each token apart, 3.2 million writes for 27,000
        # rows, 6 s where standard output is unbuffered (PYTHONUNBUFFERED, as in many
        # containers) against 2 s
        write_text(out, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        return
    encoding = getattr(out, "encoding", None) or "utf-8"

    def cell_text(term) -> str:
        text = display(term, label)
        if fmt == "markdown":  # for the eye: control characters escaped
            return visible(text)
        if fmt == "table":  # escaped before the layout, so that the columns fit what is printed
            return printable(visible(text), encoding)
        return text

    shown = functools.cache(cell_text)  # a listing repeats its terms
    cells = [[shown(term) for term in row] for row in rows]
    if fmt == "jsonl":
        for row, terms in zip(cells, rows):
            values = [json_value(term, cell) for cell, term in zip(row, terms)]
            out.write(json.dumps(dict(zip(variables, values)), ensure_ascii=False) + "\n")
    elif fmt in ("csv", "tsv"):
        write_delimited(out, variables, cells, "," if fmt == "csv" else "\t")
    elif fmt == "markdown":
        write_text(out, markdown_table(variables, cells))
    else:
        headers = [printable(name, encoding) for name in variables]
        write_text(out, text_table(headers, cells,
                                   TABLE_CELL_WIDTH if len(variables) > 2 else None, room=room))
        if count:
            out.write(f"({len(cells)} row{'s' if len(cells) != 1 else ''})\n")


def write_fully(stream, data: bytes) -> None:
    """Write all of `data`. A buffered stream over a pipe takes only part of a large write
    when the reader leaves halfway (`kg export | head`), and says so only by the count it
    returns; the next write raises BrokenPipeError, which the CLI ends with 141."""
    view = memoryview(data)
    while view:
        view = view[stream.write(view):]


def write_text(out, text: str) -> None:
    """Write a whole table at once, through `out`'s bytes: a text stream drops the count of
    a partial write, so `kg -q query ... -f markdown | head` ended with 0, not 141."""
    buffer = getattr(out, "buffer", None)
    if buffer is None:  # a StringIO a caller put there
        out.write(text)
        return
    out.flush()  # what was written before comes first
    write_fully(buffer, text.encode(out.encoding, out.errors or "strict"))


def write_delimited(out, header: Sequence[str], rows, delimiter: str = ",") -> None:
    """CSV, or TSV with a tab, as RFC 4180 has it (but lines end in \\n): a value holding
    the delimiter, a quote or a line break is quoted."""
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    # Python's csv quotes only the line breaks of its own line terminator (\n): a bare
    # carriage return went unquoted, and readers end the row there. Rows holding one
    # are quoted whole.
    quoting_all = csv.writer(out, delimiter=delimiter, lineterminator="\n",
                             quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for row in rows:
        (quoting_all if "\r" in "".join(map(str, row)) else writer).writerow(row)


def stdout_for(fmt: str):
    """Standard output, set up for `fmt`. A table (or a text report) is for the terminal:
    in its encoding, with what that cannot show escaped (\\u65e5) rather than a traceback.
    The other formats are read by programs: UTF-8 whatever the locale, as their
    specifications say (JSON: RFC 8259; SPARQL results CSV and TSV)."""
    out = sys.stdout
    if isinstance(out, io.TextIOWrapper):  # not a StringIO a caller put there
        if fmt in ("table", "text"):
            out.reconfigure(errors="backslashreplace")
        else:
            out.reconfigure(encoding="utf-8")
    return out


def terminal_width(out) -> int | None:
    """The columns a table has to fit in: $COLUMNS if set, else the terminal's width when
    `out` is one; None for a pipe or file, whose tables do not depend on a window."""
    given = os.environ.get("COLUMNS", "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        return os.get_terminal_size(out.fileno()).columns if out.isatty() else None
    except (AttributeError, OSError, ValueError):  # a StringIO, a closed or odd stream
        return None


def text_table(headers: Sequence[str], cells: list[list[str]], width: int | None,
               room: int | None = None) -> str:
    """Columns aligned and underlined; cells wider than `width` columns wrap onto more lines,
    and the widest columns wrap narrower (not below NARROWEST_CELL) for the table to fit
    in `room` columns if given.

    Written here rather than with tabulate, whose import alone costs a quarter of the
    cold-start budget of a query.
    """
    if not headers:  # SELECT * WHERE {}: solutions without variables
        return "(no columns)\n"
    # a listing repeats its cells (a system, a role, a country): each column's distinct
    # cells are laid out once, which took 4.5 s of 27,000 rows in a terminal, 0.5 s piped
    distinct = [{row[i] for row in cells} for i in range(len(headers))]
    layouts = [{cell: cell_lines(cell, width) for cell in column} for column in distinct]
    widths = [column_width(header, layout) for header, layout in zip(headers, layouts)]
    floors = [columns(header) for header in headers]
    cap = narrowest_fitting(widths, floors, room) if room else None
    if cap is not None:
        # no word cut in two ("internationa" "l") unless that alone makes the table fit:
        # a column as wide as its longest word (textwrap breaks after a hyphen), if that
        # is not much wider; a longer one (an IRI) is cut
        whole_words = [max(floor, min(LONGEST_WHOLE_WORD, max(
            (columns(word) for cell in column for word in WORD_PIECE.findall(cell)), default=0)))
            for column, floor in zip(distinct, floors)]
        cap_for_words = narrowest_fitting(widths, whole_words, room)
        if (table_width(widths, whole_words, cap_for_words) <= room
                or table_width(widths, floors, cap) > room):
            floors, cap = whole_words, cap_for_words
        for i in [i for i, w in enumerate(widths) if w > cap]:
            layouts[i] = {cell: cell_lines(cell, max(cap, floors[i])) for cell in distinct[i]}
            widths[i] = column_width(headers[i], layouts[i])
    # each cell's lines padded to its column's width, once
    padded = [{cell: [padded_to(line, w) for line in lines] for cell, lines in layout.items()}
              for layout, w in zip(layouts, widths)]
    blanks = [" " * w for w in widths]
    lines = [join_line([padded_to(h, w) for h, w in zip(headers, widths)]),
             join_line(["-" * w for w in widths])]
    for row in cells:
        parts = [column[cell] for column, cell in zip(padded, row)]
        lines.extend(join_line([part[i] if i < len(part) else blank
                                for part, blank in zip(parts, blanks)])
                     for i in range(max(map(len, parts))))
    return "".join(lines)


def column_width(header: str, layout: dict[str, list[str]]) -> int:
    """The columns a table column takes: its header's, or its widest line's."""
    return max([columns(header)] + [columns(line) for lines in layout.values() for line in lines])


def padded_to(text: str, width: int) -> str:
    return text + " " * (width - columns(text))


def join_line(parts: list[str]) -> str:
    return "  ".join(parts).rstrip() + "\n"


def narrowest_fitting(widths: list[int], floors: list[int], room: int) -> int | None:
    """The widest cell width at which columns of `widths` fit in `room` (two spaces
    between columns), not below NARROWEST_CELL; None if they fit as they are. A column
    is never narrower than its floor (of `floors`: its header, which does not wrap)."""
    if table_width(widths, floors, max(widths)) <= room:
        return None
    return next((cap for cap in range(max(widths) - 1, NARROWEST_CELL - 1, -1)
                 if table_width(widths, floors, cap) <= room), NARROWEST_CELL)


def table_width(widths: list[int], floors: list[int], cap: int | None) -> int:
    """The columns a table takes with its cells wrapped at `cap` (None: not wrapped), each
    column at least its floor, two spaces between columns."""
    return (sum(max(floor, w if cap is None else min(w, cap)) for w, floor in zip(widths, floors))
            + 2 * (len(widths) - 1))


def cell_lines(cell: str, width: int | None) -> list[str]:
    """The lines of a table cell: its own lines (a quote's line breaks stay), each
    wrapped to `width` columns if given."""
    import textwrap

    if not width:
        return cell.splitlines() or [""]
    if "\n" not in cell and columns(cell) <= width:  # most cells: what textwrap would give
        return [cell.rstrip(" ")]
    lines = cell.splitlines() or [""]
    return [piece for line in lines for piece in marks_with_their_letters(
        [piece for wrapped in textwrap.wrap(line, width) or [""] for piece in fit(wrapped, width)])]


def marks_with_their_letters(pieces: list[str]) -> list[str]:
    """The pieces of one line with the combining marks (and other zero-width characters)
    that begin a piece moved back to the end of the one before: textwrap, counting
    characters, cuts a long word between a letter and its accent (e / \u0301)."""
    joined = pieces[:1]
    for piece in pieces[1:]:
        marks = 0
        while marks < len(piece) and character_columns(piece[marks]) == 0:
            marks += 1
        joined[-1] += piece[:marks]
        if piece[marks:]:
            joined.append(piece[marks:])
    return joined


def columns(text: str) -> int:
    """The terminal columns the text takes: two for a wide character (日, 🚀), none for a
    combining mark or zero-width character (the accent of e\u0301), one for the others."""
    if text.isascii():
        return len(text)
    # one column each, corrected for the few characters outside ASCII (curly quotes, mostly)
    return len(text) + sum(character_columns(c) - 1 for c in NON_ASCII.findall(text))


def character_columns(character: str) -> int:
    if unicodedata.combining(character) or unicodedata.category(character) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def fit(line: str, width: int) -> list[str]:
    """The line cut into pieces of at most `width` columns. textwrap counts characters,
    so a line of wide characters (Japanese has no spaces to break at) is twice too wide."""
    if columns(line) <= width:
        return [line]
    pieces, piece, used = [], "", 0
    for character in line:
        needed = character_columns(character)
        if used + needed > width and piece:
            pieces.append(piece)
            piece, used = "", 0
        piece, used = piece + character, used + needed
    return pieces + [piece]


def markdown_table(headers: Sequence[str], cells: list[list[str]]) -> str:
    if not headers:  # Markdown has no table without columns
        return ""
    def line(parts):
        return "| " + " | ".join(markdown_cell(p) for p in parts) + " |\n"

    return line(headers) + line(["---"] * len(headers)) + "".join(line(row) for row in cells)


def markdown_cell(text: str) -> str:
    """The text as a cell of a Markdown table, shown as it is: a backslash that would
    escape the punctuation after it doubled (`a\\|b` rendered as `a|b`), then `|` and
    what Markdown reads as emphasis, code, a link, HTML or an entity escaped."""
    shown = ESCAPING_BACKSLASH.sub(r"\\\\", text)
    return MARKDOWN_SYNTAX.sub(r"\\\g<0>", shown).replace("\n", " ")


def visible(text: str) -> str:
    """The text with control characters escaped as Python writes them: \\t, \\x00."""
    return INVISIBLE.sub(lambda found: found.group().encode("unicode_escape").decode(), text)


def file_name(path) -> str:
    """A file's name as text any encoder takes: bytes that are not UTF-8 as \\xfe (Python
    keeps them as surrogates, on which writing a report as UTF-8 failed)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def printable(text: str, encoding: str) -> str:
    """The text with what `encoding` cannot write escaped as Python writes it: \\u65e5."""
    return text if text.isascii() else text.encode(encoding, "backslashreplace").decode(encoding)


def display(term, label: Label | None) -> str:
    if term is None:
        return ""
    if isinstance(term, (ox.NamedNode, ox.BlankNode)) and label:
        return label(term)
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return triple_term_text(term)
    return term.value


def json_value(term, cell: str):
    """A value of a JSON lines row: null if unbound (not "": JSON tells them apart), a
    number or boolean for a literal of a numeric or boolean type (so that jq compares
    numbers as numbers; a whole decimal as an integer, 5000000000), else the cell's text. A
    value JSON cannot hold as it is stays text: an ill-typed one, INF, NaN, a decimal a
    double would round."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype, text = term.datatype.value, term.value
        try:
            if datatype in INTEGER_TYPES:
                return int(text)
            if datatype == XSD + "boolean" and text in ("true", "false", "1", "0"):
                return text in ("true", "1")
            if datatype in (XSD + "double", XSD + "float", XSD + "decimal"):
                number = float(text)
                if math.isfinite(number) and (datatype != XSD + "decimal" or exact(text, number)):
                    whole = datatype == XSD + "decimal" and number.is_integer()
                    return int(number) if whole else number  # 5000000000, not 5000000000.0
        except (ValueError, ArithmeticError):
            pass  # not of its type (ill-typed): as written
    return cell


def exact(decimal_text: str, number: float) -> bool:
    """Whether the double holds the decimal exactly. (decimal is imported here: 4 ms, more
    than a query command can spare when it prints no decimal.)"""
    from decimal import Decimal

    return Decimal(decimal_text) == Decimal(repr(number))


def triple_term_text(triple: ox.Triple) -> str:
    """An RDF 1.2 triple term as N-Triples writes it: `<<( <s> <p> "o" )>>`."""
    return f"<<( {triple} )>>"


def is_rdf_12_term(term) -> bool:
    """Whether a term is one only RDF 1.2 has: a triple term, or a literal with a text
    direction ("x"@ar--rtl)."""
    return isinstance(term, ox.Triple) or (isinstance(term, ox.Literal) and bool(term.direction))


def sparql_json(variables: Sequence[str], rows: Sequence[Sequence]) -> dict:
    """The SPARQL 1.1 Query Results JSON document of the rows."""
    bindings = []
    for row in rows:
        binding = {}
        for name, term in zip(variables, row):
            if term is not None:
                binding[name] = json_term(term)
        bindings.append(binding)
    return {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}


def json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):  # as SPARQL 1.2 Query Results JSON writes it
        return {"type": "triple", "value": {"subject": json_term(term.subject),
                                            "predicate": json_term(term.predicate),
                                            "object": json_term(term.object)}}
    result = {"type": "literal", "value": term.value}
    if term.language:
        result["xml:lang"] = term.language
        if term.direction:  # "ar"@ar--rtl, as SPARQL 1.2 Query Results JSON writes it
            result["its:dir"] = str(term.direction)
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        result["datatype"] = term.datatype.value
    return result
