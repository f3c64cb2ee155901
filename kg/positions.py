"""Where each statement of a Turtle file is: subject and predicate to line and column.

No RDF parser keeps positions, so this scans the text itself: it splits the file into
statements (a `.` outside strings, IRIs, comments and brackets ends one; a SPARQL-style
PREFIX or BASE line, which has no `.`, ends at its IRI) and finds the written form of a
subject or predicate inside them. It is meant for files that already parsed
(kg.loading.parse_file), so it need not diagnose anything.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from kg.loading import line_feeds_only, read_utf8
from kg.safety import text_position

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREFIX_DIRECTIVE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w-]*):\s*<([^>]*)>", re.IGNORECASE)
BASE_DIRECTIVE = re.compile(r"^\s*(?:@base|BASE)\s*<([^>]*)>", re.IGNORECASE)
# the same anywhere in a file's text (in a string or comment too: a look that may find more)
ANY_PREFIX_DIRECTIVE = re.compile(PREFIX_DIRECTIVE.pattern.removeprefix(r"^\s*"), re.IGNORECASE)
ANY_BASE_DIRECTIVE = re.compile(BASE_DIRECTIVE.pattern.removeprefix(r"^\s*"), re.IGNORECASE)
# the same in a text in lower case: patterns that begin with a word the engine looks for
# fast (0.03 s in 34 MB, where each of the two above took 0.9 s)
LOWER_PREFIX_DIRECTIVE = re.compile(r"prefix\s+[\w-]*:\s*<[^>]*>")
LOWER_BASE_DIRECTIVE = re.compile(r"base\s*<[^>]*>")
# How a problem names a blank node that is a subject of its own (kg.problems.describe_node),
# and the key of the statements whose subject is one (_:b or [...]).
BLANK_SUBJECT = "[]"
TOKEN_END = r"(?=[\s;,.\[\]()#]|$)"
FIRST_TOKEN = re.compile(r"\S*")


@dataclass(frozen=True)
class Statement:
    line: int    # line of the statement's first character
    column: int  # and its column (1 for the first character of a line)
    text: str
    blocks: tuple[tuple[int, int], ...] = ()  # (start, end) in text of each outermost [...]


IRI_REF = re.compile(r"<[^\s<>\"{}|^`\\]*>")
# A string in any of Turtle's four quotes (grammar rules STRING_LITERAL_...).
STRING = re.compile(r'"""(?:"{0,2}(?:[^"\\]|\\.))*"""|\'\'\'(?:\'{0,2}(?:[^\'\\]|\\.))*\'\'\'|'
                    r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', re.DOTALL)
SPARQL_DIRECTIVE = re.compile(r"(?:PREFIX\s+[\w-]*:|BASE)\s*<[^>]*>", re.IGNORECASE)
# What only RDF 1.2 writes: a triple term <<( )>> or reified triple << >>, an annotation
# {| |}, a reifier ~ (\~ is an escape in a name), a text direction "..."@en--ltr, a VERSION
# directive; and where a comment, IRI or string starts, which are skipped.
RDF_12_SYNTAX = re.compile(r"<<\(?|\{\||(?<!\\)~|(?<=[\"'])@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*--\w+|"
                           r"(?<![\w:.\\\"'-])(?:@version|(?i:VERSION))(?=[\s\"'])|[#<\"']")
BRACKET_QUOTE_COMMENT_OR_IRI = re.compile(r"[\[\]#<\"']")
# The characters the scan acts on; it jumps over everything else at once.
SIGNIFICANT = re.compile(r"[#<\"'\[\]().]")


def statements(text: str) -> list[Statement]:
    """The statements and directives of a Turtle document, in order (one pass: linear)."""
    found, start, depth, i, n = [], 0, 0, 0, len(text)
    cursor = Cursor(text)
    blocks, opened = [], 0  # the current statement's outermost [...], as file offsets
    while i < n:
        if i == start:
            begin = skip_comments(text, start)
            directive = SPARQL_DIRECTIVE.match(text, begin)
            if directive:
                found.append(Statement(*cursor.at(begin), directive.group(0)))
                start = i = directive.end()
                continue
        significant = SIGNIFICANT.search(text, i)
        if not significant:
            break
        i = significant.start()
        c = text[i]
        if c in "#<\"'":
            after = skipped(text, i)
            if after > i:
                i = after
                continue
        if c in "[(":
            if depth == 0 and c == "[":
                opened = i
            depth += 1
        elif c in "])":
            depth -= 1
            if depth == 0 and c == "]":
                blocks.append((opened, i + 1))
        elif c == "." and depth == 0 and (i + 1 == n or not text[i + 1].isalnum()):
            begin = skip_comments(text, start)
            found.append(Statement(*cursor.at(begin), text[begin:i + 1].strip(),
                                   tuple((a - begin, b - begin) for a, b in blocks)))
            start, blocks = i + 1, []
        i += 1
    return found


@functools.lru_cache(maxsize=256)  # the statements of one subject are searched again and again
def quoted_spans(text: str) -> tuple[list[int], list[int]]:
    """Where the strings and comments of a statement's text start and end: a name there
    is only text. IRIs are stepped over, not counted: a property may be written as one."""
    spans = [(i, after) for i, after in marks(text, 0, len(text)) if text[i] in "#\"'"]
    return [i for i, _ in spans], [after for _, after in spans]


def marks(text: str, start: int, end: int):
    """(offset, end) of each string, comment, IRI and bracket in text[start:end], each
    outside the others."""
    i = start
    while found := BRACKET_QUOTE_COMMENT_OR_IRI.search(text, i, end):
        i = found.start()
        after = i + 1 if text[i] in "[]" else skipped(text, i)
        if after > i:  # a quote or < that opens nothing (none in a file that parsed)
            yield i, after
        i = max(after, i + 1)


class Cursor:
    """The line and column of offsets given in increasing order, in time linear in the
    text: searching back for each one's line start took minutes on a one-line file."""

    def __init__(self, text: str):
        self.text, self.line, self.line_start, self.counted = text, 1, 0, 0

    def at(self, offset: int) -> tuple[int, int]:
        newlines = self.text.count("\n", self.counted, offset)
        if newlines:
            self.line += newlines
            self.line_start = self.text.rfind("\n", self.counted, offset) + 1
        self.counted = offset
        return self.line, offset - self.line_start + 1


def skipped(text: str, i: int) -> int:
    """The offset just past the comment, IRI or string that starts at text[i]; i if none does."""
    if text[i] == "#":
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    token = (IRI_REF if text[i] == "<" else STRING).match(text, i)
    return token.end() if token else i


def rdf_12_syntax(text: str) -> tuple[int, int, str] | None:
    """(line, column, text) of the first RDF 1.2 syntax of a Turtle document that parsed,
    outside comments, IRIs and strings; None if it has none."""
    i = 0
    while found := RDF_12_SYNTAX.search(text, i):
        i = found.start()
        after = skipped(text, i)
        if after > i:
            i = after
        elif found.group() == "<":  # no IRI: cannot be in a document that parsed
            i += 1
        else:
            return *text_position(text, i), found.group()
    return None


def skip_comments(text: str, position: int) -> int:
    """The position of the first character after white space and whole-line comments."""
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if not text.startswith("#", position):
            return position
        end = text.find("\n", position)
        position = len(text) if end < 0 else end + 1


class SourceIndex:
    """Positions of subjects and of (subject, predicate) pairs in one Turtle file, its
    statements split on first use (see may_state)."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text
        self.prefixes: dict[str, str] = {}
        self.bases: list[str] = []  # the @base IRIs, the one in effect last
        self._by_subject: dict[str, list[Statement]] | None = None

    @property
    def by_subject(self) -> dict[str, list[Statement]]:
        if self._by_subject is None:
            self._by_subject = {}
            for statement in statements(self.text):
                directive = PREFIX_DIRECTIVE.match(statement.text)
                if directive:
                    self.prefixes[directive.group(1)] = self.resolve(directive.group(2))
                    continue
                base = BASE_DIRECTIVE.match(statement.text)
                if base:
                    self.bases.append(self.resolve(base.group(1)))
                    continue
                subject = statement.text.split(None, 1)[0] if statement.text else ""
                key = BLANK_SUBJECT if subject.startswith(("_:", "[")) else self.expand(subject)
                if key:
                    self._by_subject.setdefault(key, []).append(statement)
        return self._by_subject

    def may_state(self, subject: str) -> bool:
        """Whether the file may have statements of the subject (an IRI): whether its text
        writes the IRI in full or under a prefix it declares anywhere, or has a base (for
        relative IRIs). Splitting a file of a million triples into statements takes 3 s,
        so a file that holds none of a problem's subject is not split."""
        if self._by_subject is not None:
            return subject in self._by_subject
        declared, has_base = self.directives
        if has_base:
            return True
        forms = [f"<{subject}>"] + [f"{prefix}:{subject[len(namespace):]}"
                                    for prefix, namespace in declared
                                    if subject.startswith(namespace)]
        return any(form in self.text for form in forms)

    @functools.cached_property
    def directives(self) -> tuple[list[tuple[str, str]], bool]:
        """(every (prefix, namespace) the text declares, whether it has a base), read
        once for all the problems placed."""
        lowered = self.text.lower()
        if len(lowered) != len(self.text):  # a character whose lower case is longer (İ)
            return (ANY_PREFIX_DIRECTIVE.findall(self.text),
                    ANY_BASE_DIRECTIVE.search(self.text) is not None)
        # found in the lower case text, read at the same place in the text as written
        return ([ANY_PREFIX_DIRECTIVE.match(self.text, found.start()).groups()
                 for found in LOWER_PREFIX_DIRECTIVE.finditer(lowered)],
                LOWER_BASE_DIRECTIVE.search(lowered) is not None)

    def resolve(self, iri: str) -> str:
        """An IRI as written between < >, resolved against the @base in effect."""
        return urljoin(self.bases[-1], iri) if self.bases else iri

    def expand(self, written: str) -> str | None:
        if written.startswith("<") and written.endswith(">"):
            return self.resolve(written[1:-1])
        prefix, sep, local = written.partition(":")
        if sep and prefix in self.prefixes:
            return self.prefixes[prefix] + local
        return None

    def written_forms(self, iri: str) -> list[str]:
        self.by_subject  # the prefixes and bases are read with the statements
        forms = [f"<{iri}>"] + [f"{prefix}:{iri[len(ns):]}" for prefix, ns in self.prefixes.items()
                                if iri.startswith(ns)]
        forms += [f"<{iri[len(base):]}>" for base in self.bases if iri.startswith(base)]
        return forms + (["a"] if iri == RDF_TYPE else [])

    def position(self, subject: str, predicate: str | None = None, clues=(),
                 exact: bool = False, value: str | None = None,
                 links: tuple[str, ...] = ()) -> tuple[int, int] | None:
        """(line, column) of `value` where the predicate states it, else of the predicate
        in the subject's statements, else of the subject (unless `exact`: then None).

        `clues` (texts of a blank node's values, such as a citation's quote) narrow the
        search to the [...] of the subject that holds most of them; `links` (IRIs), the
        properties that lead from the subject down to a nested [...], to that one.
        """
        found = self.by_subject.get(subject)
        if not found:
            return None
        if subject == BLANK_SUBJECT:  # which blank node: the statements with most of its values
            most = max(self.holding(statement.text, clues) for statement in found)
            found = [s for s in found if self.holding(s.text, clues) == most]
            clues = ()
            if links:
                block = self.nested(found[0], 0, len(found[0].text), links)
                return self.in_block(block, predicate, value)
        if clues:
            block = self.block(found, clues) or self.labelled_blank_node(clues)
            if block:
                return self.in_block(self.nested(*block, links[1:]), predicate, value)
        if predicate:  # the subject's own statements, not those of a [...] it holds
            stating = self.stating(found, predicate, value)
            if stating:
                statement, offset = stating[0]
                return where(statement, self.at_value(statement.text, offset, value))
        return None if exact and predicate else (found[0].line, found[0].column)

    def stating(self, statements: list[Statement], predicate: str,
                value: str | None) -> list[tuple[Statement, int]]:
        """(statement, offset of the predicate) of each statement that states the
        predicate of its subject, not of a [...] it holds; of two ("1999" and "2019-02-30"
        as dates), the one that writes the value at fault first."""
        stating = [(statement, offset) for statement in statements
                   for offset in [self.find(predicate, statement.text, value=value,
                                            own_level=True)]
                   if offset is not None]
        stating.sort(key=lambda found: not (value and self.writes(value, *found)))
        return stating

    def writes_value(self, subject: str, predicate: str, value: str) -> bool:
        """Whether a statement of the subject writes the value for the predicate."""
        stating = self.stating(self.by_subject.get(subject, []), predicate, value)
        return bool(stating) and self.writes(value, *stating[0])

    def in_block(self, block: tuple[Statement, int, int], predicate: str | None,
                 value: str | None) -> tuple[int, int]:
        """(line, column) of the predicate (or of the value it states) in a [...], not in
        one nested inside it, else of its [."""
        statement, start, end = block
        offset = (self.find(predicate, statement.text, start, end, value, own_level=True)
                  if predicate else None)
        return where(statement, start if offset is None else
                     self.at_value(statement.text, offset, value, end))

    def nested(self, statement: Statement, start: int, end: int,
               links) -> tuple[Statement, int, int]:
        """The [...] reached from text[start:end] by the properties `links`, one level
        each (as far as they can be followed)."""
        for link in links:
            offset = self.find(link, statement.text, start, end)
            opening = statement.text.find("[", offset, end) if offset is not None else -1
            if opening < 0:
                break
            start, end = opening, closing_bracket(statement.text, opening) + 1
        return statement, start, end

    def find(self, predicate: str, text: str, start: int = 0, end: int | None = None,
             value: str | None = None, own_level: bool = False) -> int | None:
        """The offset of the predicate's written form in text[start:end] outside strings
        and comments (a note may name the property it is about), in a predicate's place
        (not a value: `ak:supports ak:date`), or None. Of several, the last before `value`
        (the value at fault, as a literal's text or <IRI>), if given; else the first. With
        `own_level`, not inside a [...] nested in text[start:end]."""
        end = len(text) if end is None else end
        starts, ends = quoted_spans(text)
        # the level of the [...] that text[start:] opens, or of a statement (`[] a ...`:
        # the subject's [] closes before its predicates)
        opened = text.startswith("[", start)
        inside = closing_bracket(text, start) if opened else start
        offsets = []
        for form in self.written_forms(predicate):
            pattern = re.compile(r"(?:^|[\s;\[(])" + re.escape(form) + TOKEN_END)
            for match in pattern.finditer(text, start, end):
                offset = match.start() + 1 if match.group()[0] in " \t\n;[(" else match.start()
                within = bisect.bisect_right(starts, offset) - 1
                if own_level and bracket_depth(text, start, offset) != int(offset < inside):
                    continue
                if not in_predicate_place(text, offset, starts, ends):
                    continue
                if within < 0 or offset >= ends[within]:
                    if value is None:
                        return offset
                    offsets.append(offset)
        if not offsets:
            return None
        offsets.sort()
        at_value = self.value_offset(text, value, offsets[0], end)
        return max((o for o in offsets if o < at_value), default=offsets[0])

    def at_value(self, text: str, offset: int, value: str | None,
                 end: int | None = None) -> int:
        """The offset of the value at fault if the property written at text[offset] states
        it (a value several lines below its property, or one of a list, is told apart);
        else `offset`. A string is found at its opening quote."""
        end = len(text) if end is None else end
        at = self.value_offset(text, value, offset, end) if value is not None else end
        depth, i = 0, offset
        for start, after in marks(text, offset, at):
            if depth == 0 and ";" in text[i:start]:
                return offset  # the value belongs to a later property
            if start < at < after:  # found inside this string: point at its quote
                return start if depth == 0 and text[start] in "\"'" else offset
            depth += {"[": 1, "]": -1}.get(text[start], 0)
            i = after
        return at if at < end and depth == 0 and ";" not in text[i:at] else offset

    def writes(self, value: str, statement: Statement, offset: int) -> bool:
        """Whether the statement writes the value after its text's `offset`."""
        return self.value_offset(statement.text, value, offset, len(statement.text)) < len(
            statement.text)

    def value_offset(self, text: str, value: str, start: int, end: int) -> int:
        """Where the value is first written in text[start:end]; `end` if nowhere. An IRI
        or a literal is matched whole: akd:japan is not the start of akd:japan-self-defense,
        nor "2016-09-15" of "2016-09-15T10:00:00"."""
        written = "(?:" + "|".join(map(re.escape, self.clue_forms(value))) + ")"
        # a name or a bare 0.1 or true as a whole token (a tag or datatype may follow an
        # empty string's form, its quotes); else a string's whole text between its quotes
        pattern = rf"(?<![^\s,(\[]){written}(?=[\s;,.\[\]()#@^]|$)"
        if not value.startswith("<"):
            pattern = rf"(?<=[\"']){written}(?=[\"'])|" + pattern
        found = re.compile(pattern).search(text, start, end)
        return found.start() if found else end

    def block(self, statements: list[Statement], clues) -> tuple[Statement, int, int] | None:
        """The [...] of the statements whose text holds most of the clues (of equals, the
        shortest: the one with least else in it), as (statement, start, end); None if none
        holds any."""
        best, score = None, (0, 0)
        for statement in statements:
            for start, end in statement.blocks:
                held = self.holding(statement.text[start:end], clues)
                if held and (held, start - end) > score:
                    best, score = (statement, start, end), (held, start - end)
        return best

    def clue_score(self, subject: str, clues) -> int:
        """How many of a blank node's values the best place for it in this file holds:
        a [...] of the subject's statements, or a statement of a blank subject."""
        found = self.by_subject.get(subject, [])
        blank = self.by_subject.get(BLANK_SUBJECT, [])
        in_blocks = [statement.text[start:end] for statement in found
                     for start, end in statement.blocks]
        return max((self.holding(text, clues) for text in
                    in_blocks + [statement.text for statement in blank]), default=0)

    def labelled_blank_node(self, clues) -> tuple[Statement, int, int] | None:
        """The statement of a blank subject holding most of the clues, as a block: a node
        written `_:plan` and linked from a subject (`akd:x ak:partOf _:plan`), whose
        statements are its own, not inside the subject's."""
        blank = self.by_subject.get(BLANK_SUBJECT, [])
        scored = [(self.holding(statement.text, clues), statement) for statement in blank]
        most = max((score for score, _ in scored), default=0)
        statement = next((statement for score, statement in scored if score == most), None)
        return (statement, 0, len(statement.text)) if most else None

    def holding(self, text: str, clues) -> int:
        """How many of the clues the text holds."""
        return sum(any(form in text for form in self.clue_forms(clue)) for clue in clues)

    def clue_forms(self, clue: str) -> list[str]:
        """How a clue may be written: an IRI (given as <IRI>) in any of its forms, a
        literal's text as it is or with its quotes and backslashes escaped (its line
        breaks as index_files gives the text)."""
        if clue.startswith("<") and clue.endswith(">"):
            return self.written_forms(clue[1:-1])
        if not clue:  # an empty string is in every text: only its quotes tell where it is
            return ['""', "''"]
        clue = line_feeds_only(clue)
        return [clue, clue.replace("\\", "\\\\").replace('"', '\\"')]


def in_predicate_place(text: str, offset: int, starts: list[int], ends: list[int]) -> bool:
    """Whether the name at text[offset] (a statement's text) is written where a predicate
    goes: after the subject, a `;` or a `[`, with only white space and comments between."""
    before = offset - 1
    while before >= 0:
        if text[before].isspace():
            before -= 1
            continue
        within = bisect.bisect_right(starts, before) - 1
        if within >= 0 and before < ends[within] and text[starts[within]] == "#":
            before = starts[within] - 1  # a comment between: read on before it
            continue
        break
    if before < 0:
        return False  # the subject itself
    return text[before] in ";[" or before == FIRST_TOKEN.match(text).end() - 1  # the subject's end


def brackets(text: str, start: int, end: int):
    """The offset and kind (+1 for [, -1 for ]) of each bracket in text[start:end]
    outside strings, comments and IRIs."""
    return ((i, 1 if text[i] == "[" else -1) for i, _ in marks(text, start, end)
            if text[i] in "[]")


def bracket_depth(text: str, start: int, offset: int) -> int:
    """How many [ are open at text[offset], counted from text[start]."""
    return sum(kind for _, kind in brackets(text, start, offset))


def closing_bracket(text: str, opening: int) -> int:
    """The offset of the ] that closes the [ at text[opening] (or the text's end)."""
    depth = 0
    for offset, kind in brackets(text, opening, len(text)):
        depth += kind
        if depth == 0:
            return offset
    return len(text) - 1


def where(statement: Statement, offset: int) -> tuple[int, int]:
    """(line, column) in the file of statement.text[offset]."""
    line_start = statement.text.rfind("\n", 0, offset) + 1
    column = offset - line_start + (1 if line_start else statement.column)
    return statement.line + statement.text.count("\n", 0, offset), column


def index_files(paths) -> list[SourceIndex]:
    # Counting only line feeds put every problem of a file with lone \r at line 1.
    return [SourceIndex(path, line_feeds_only(read_utf8(path))) for path in paths]


def locate(indexes: list[SourceIndex], subject: str, predicate: str | None = None, clues=(),
           value: str | None = None, links: tuple[str, ...] = (), narrower=()):
    """(path, line, column, property) of the first file that states the predicate of the
    subject (where it does so more than once, with `value`, a literal's text or <IRI>, if
    one does; at that value if it is written there), else one of its `narrower` properties
    (IRIs: ak:party for ak:participant), which is then the property given; else of the
    first that states the subject, else (None, 0, 0, predicate).

    A candidate's subject may live in a data file too: a problem with a statement only
    the data file makes (a label another node now shares) is there, not at the subject
    in the candidate. A problem of a blank node goes to the file that holds most of its
    values (`clues`), the first of equals: a copy of a citation in another file once went
    to the file named first.
    """
    if subject != BLANK_SUBJECT:
        indexes = [index for index in indexes if index.may_state(subject)]
    if clues:  # a blank node's values: first the files whose [...] hold most of them
        indexes = sorted(indexes, key=lambda index: -index.clue_score(subject, clues))
    elif value and predicate and sum(subject in index.by_subject for index in indexes) > 1:
        # the file that writes the value: a problem of a second candidate's class
        # (akd:japan a akd:Bogus2) went to the first candidate's statement of akd:japan
        indexes = sorted(indexes, key=lambda index: not index.writes_value(subject, predicate,
                                                                          value))
    for exact in (True, False) if predicate else (False,):
        for written in (predicate, *narrower) if exact else (predicate,):
            for index in indexes:
                found = index.position(subject, written, clues, exact, value, links)
                if found:
                    return index.path, *found, written
    return None, 0, 0, predicate
