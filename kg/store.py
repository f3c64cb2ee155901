"""The compiled graph: asserted plus inferred triples in an Oxigraph store, built once.

Parsing Turtle and inference take a quarter of a second for the shipped graph (a minute
at a million triples), so they happen only when the inputs' content key has no compiled
store yet. The store lives in the user's cache directory under that key; a build writes
a temporary folder and renames it into place, so a reader never sees a half-built store
and a changed input is never served stale; a damaged one is built again.
"""

from __future__ import annotations

import functools
import json
import os
import re
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from kg import __version__
from kg.errors import InputError, expect
from kg.loading import (CONTENT_KEY_BYTES, Inputs, TurtleText, collector_paused, content_key,
                        find_inputs, read_texts)
from kg.namespaces import GRAPHS, PREFIXES, curie

CACHE_ENV = "KG_CACHE_DIR"
# Bump when what a build writes changes, so older compiled stores are not reused (12:
# builds of earlier versions could hold an input as edited after it was hashed).
BUILD_FORMAT = "12"
ASSERTED = ox.NamedNode(GRAPHS + "asserted")
INFERRED = ox.NamedNode(GRAPHS + "inferred")
KEEP_BUILDS = 8
# The build of some inputs is found by a digest of their bytes, 0.07-0.12 s for the 34 MB
# of a 1M graph on every command. So the digest is remembered under the files' stat (size,
# times, inode), as git's index does: a write sets a file's ctime, which no call sets
# back. Not where ctime has no fraction of a second, as on FAT and sshfs, which keep no
# change time of their own (setting back the mtime sets it back too). Nor for files
# changed less than RACY_SECONDS ago (by this machine's clock): one written again within
# a tick of its file system's clock could keep its stat.
INPUT_KEYS_FOLDER = ".input-keys"
INPUT_KEYS_BYTES = 128 * 2 * CONTENT_KEY_BYTES  # the last 128 sets of inputs' keys, in hex
RACY_SECONDS = 3
# Below this size the whole store is dumped as N-Quads instead: loading that into memory
# costs about 2 µs a quad, opening RocksDB about 12 ms, and each lookup is slower on disk.
# Timed cold: a query command on the shipped graph (7k quads) takes 15 ms less from the
# dump, on a 14k-quad synthetic graph about 17 ms more.
SMALL_GRAPH_QUADS = 10_000
DUMP_FILE = "graph.nq"
ASSERTED_FILE = "asserted.nt"
INFERRED_FILE = "inferred.nt"  # only what inference adds
GRAPH_FILES = {ASSERTED: ASSERTED_FILE, INFERRED: INFERRED_FILE}
CONTEXT_FILE = "context.nt"
# The asserted literals the store keeps in another form, to restore them: see exact_literals
EXACT_FILE = "exact.nt"
LABELS_FILE = "labels.tsv"  # each label's key and a project node it names: see label_keys
NODE_LABELS_FILE = "node-labels.json"  # each named node's label as printed: see node_labels
# After this many labels looked up one by one (about 34 µs each on disk), a command reads
# all of them from NODE_LABELS_FILE (0.08 s for 117,000 at a million triples): printing
# the 27,000 rows of a whole listing looked up 41,000 labels in 1.4 s.
LABELS_ONE_BY_ONE = 2_000
RDFS_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
XSD_STRING = ox.NamedNode(PREFIXES["xsd"] + "string")
RDF_LANG_STRING = ox.NamedNode(PREFIXES["rdf"] + "langString")
TYPED_LITERAL = re.compile(rb'"\^\^<')
# The ontology and concepts (every subject outside akd:, asserted or inferred) and the
# file name of every source (where else a misquoted quote is): what validating a few
# nodes needs besides them. Written by the build: on disk, this scan of every triple
# took 9 s at a million triples, in memory 2 s.
CONTEXT_QUERY = """
CONSTRUCT { ?s ?p ?o } WHERE {
  { ?s ?p ?o FILTER(!isBlank(?s) && !STRSTARTS(STR(?s), STR(akd:))) }
  UNION { ?s ak:fileName ?o BIND(ak:fileName AS ?p) }
}"""
# Every label of a project entity or concept, for the duplicate-label check.
LABELS_QUERY = """
SELECT ?node ?label WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel } ?node ?p ?label
  FILTER(STRSTARTS(STR(?node), STR(akd:)) || STRSTARTS(STR(?node), STR(akc:)))
}"""

Progress = Callable[[str], None]


def cache_root() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        from kg.loading import local_path

        return local_path(configured, f"cache folder (${CACHE_ENV})", resolve=False)
    import platformdirs

    return Path(platformdirs.user_cache_dir("alliance-kg"))


class CompiledGraph:
    """A read-only view of one compiled store, queried with SPARQL over all its graphs."""

    def __init__(self, store: ox.Store, inputs: Inputs, key: str, path: Path, held=None):
        self.store = store
        self.inputs = inputs
        self.key = key
        self.path = path
        # which build this is (see kg.results): one rebuilt after damage is in the same folder
        self.build_id = build_id(path, held)
        if held is not None:  # the build's shared lock (see `hold`), let go with this object
            weakref.finalize(self, held.close)
        self._labels: dict[ox.NamedNode, str] = {}

    def query(self, sparql: str, substitutions: dict | None = None, origin: str = ""):
        """Run a SPARQL query over asserted and inferred triples; prefixes of PREFIXES apply.

        `origin` (the query's file) goes in front of an error, as `file:line:column:`.
        """
        return query_store(self.store, sparql, substitutions, origin)

    def solutions(self, sparql: str, substitutions: dict | None = None,
                  origin: str = "") -> ox.QuerySolutions:
        """The solutions of a SELECT query, evaluated as they are read."""
        solutions = self.query(sparql, substitutions, origin)
        if not isinstance(solutions, ox.QuerySolutions):
            raise InputError(f"{origin}: expected a SELECT query" if origin else
                             "expected a SELECT query")
        return solutions

    def select(self, sparql: str, substitutions: dict | None = None,
               origin: str = "") -> tuple[list[str], list[list]]:
        """The variables and rows of a SELECT query; each cell a pyoxigraph term or None."""
        return table(self.solutions(sparql, substitutions, origin))

    def rdflib_graph(self, inferred: bool = True, on_asserted=None):
        """The graph as an rdflib Graph: asserted triples, plus the inferred ones by default.

        Read from the N-Triples files the build wrote, not from the store: Oxigraph
        canonicalises literals (xsd:nonNegativeInteger becomes xsd:integer), and
        validation and exports need the terms exactly as curated. `on_asserted` is called
        with the asserted triples, as a list of rdflib tuples (saves a second parse).
        """
        files = [ASSERTED_FILE, INFERRED_FILE] if inferred else [ASSERTED_FILE]
        return rdflib_graph_of(*map(self.build_file, files), on_first=on_asserted)

    def asserted_quads(self) -> list:
        """The asserted triples exactly as curated (from the build's N-Triples file)."""
        return list(self.build_file(ASSERTED_FILE))

    def asserted_about(self, node: ox.NamedNode | ox.BlankNode) -> list[ox.Triple]:
        """The node's asserted triples exactly as curated: looked up in the store, with
        the literals it keeps in another form as they were written (see exact_literals).
        A few nodes' triples so, where reading asserted.nt took 3 s at a million triples."""
        restored = self._exact_literals.get(node, [])
        predicates = {triple.predicate for triple in restored}
        return [quad.triple for quad in self.store.quads_for_pattern(node, None, None, ASSERTED)
                if not (quad.predicate in predicates and is_typed(quad.object))] + restored

    @functools.cached_property
    def _exact_literals(self) -> dict:
        by_subject: dict = {}
        for quad in self.build_file(EXACT_FILE):
            by_subject.setdefault(quad.subject, []).append(quad.triple)
        return by_subject

    @functools.cached_property
    def kept_label_keys(self) -> dict[str, set[str]]:
        """Which project nodes (IRIs) each label names, by kg.catalog.label_key:
        LABELS_QUERY's answer, kept by the build (the query and the keys of its 135,000
        labels took 6 s at a million triples)."""
        try:
            lines = (self.path / LABELS_FILE).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise self.damaged(LABELS_FILE, exc) from None
        named_by: dict[str, set[str]] = {}
        for line in lines:
            key, _, iri = line.rpartition("\t")
            named_by.setdefault(key, set()).add(iri)
        return named_by

    def label_index(self) -> dict[str, set]:
        """kept_label_keys with rdflib URIRefs, as lint compares them."""
        return as_uri_refs(self.kept_label_keys)

    def context(self) -> list:
        """The triples of the ontology and concepts, and the sources' file names (see
        CONTEXT_QUERY)."""
        return [quad.triple for quad in self.build_file(CONTEXT_FILE)]

    def build_file(self, name: str):
        """The quads of one of the build's N-Triples files. A damaged one (a disk error,
        an edit by hand) gave a traceback on every command: now its build is marked
        incomplete, for the next command to rebuild, and this one ends with an InputError."""
        try:
            yield from ox.parse(path=self.path / name, format=ox.RdfFormat.N_TRIPLES)
        except (SyntaxError, OSError) as exc:
            raise self.damaged(name, exc) from None

    def damaged(self, name: str, exc: Exception) -> InputError:
        """The error for a build file that cannot be read; the build is marked incomplete,
        for the next command to rebuild."""
        self.rebuild_next_time()
        return InputError(f"{self.path / name}: the compiled graph is damaged "
                          f"({' '.join(str(exc).split())}): run the command again to "
                          f"rebuild it")

    def rebuild_next_time(self) -> None:
        """Mark the build incomplete (see is_complete): the next command builds it again."""
        (self.path / "build.json").unlink(missing_ok=True)

    def label(self, node: ox.NamedNode | ox.BlankNode) -> str:
        """The node's English rdfs:label (or any label), else its CURIE (a blank node:
        _:id; one with a label is a nameless entity or fact, which lint warns of)."""
        if node not in self._labels:
            expect(node, (ox.NamedNode, ox.BlankNode), "label node",
                   "a NamedNode or BlankNode of a result (for a name: kg.describe)")
            all_labels = self._all_labels if len(self._labels) >= LABELS_ONE_BY_ONE else None
            if all_labels is not None and isinstance(node, ox.NamedNode):
                label = all_labels.get(node.value)
            else:
                label = preferred_label(
                    q.object for q in self.store.quads_for_pattern(node, RDFS_LABEL, None))
            self._labels[node] = label if label is not None else (
                curie(node.value) if isinstance(node, ox.NamedNode) else str(node))
        return self._labels[node]

    @functools.cached_property
    def _all_labels(self) -> dict[str, str] | None:
        return self.read_node_labels()

    def read_node_labels(self) -> dict[str, str] | None:
        """Each named node's label as `label` gives it, by IRI, as the build kept them;
        None if the file is damaged: the labels are then looked up one by one, as right
        if slower, and the next command rebuilds (the file only saves time)."""
        try:
            labels = json.loads((self.path / NODE_LABELS_FILE).read_text(encoding="utf-8"))
            if isinstance(labels, dict) and all(isinstance(label, str)
                                                for label in labels.values()):
                return labels
            raise ValueError("not an object of labels")
        except (OSError, ValueError):
            self.rebuild_next_time()
            return None

    def metadata(self) -> dict:
        """What the build recorded (build.json): kg's version, the reasoner, the input
        files, the asserted and inferred triple counts, the build's seconds."""
        return json.loads((self.path / "build.json").read_text())


def table(solutions: ox.QuerySolutions, limit: int | None = None) -> tuple[list[str], list[list]]:
    """The variables and rows of SELECT results, each cell a pyoxigraph term or None; with
    `limit`, at most limit + 1 rows, so that a caller can tell there were more."""
    import itertools

    variables = [v.value for v in solutions.variables]
    read = solutions if limit is None else itertools.islice(solutions, limit + 1)
    # a solution lists its values in the variables' order: three times as fast as by name
    return variables, [list(solution) for solution in read]


def query_store(store: ox.Store, sparql: str, substitutions: dict | None = None,
                origin: str = ""):
    """CompiledGraph.query on any store: its errors are InputErrors placed in the query.
    (Queries are evaluated lazily: on an empty store this checks a query's syntax.)"""
    in_file = f"{origin}: " if origin else ""
    try:
        return store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True,
                           substitutions=substitutions)
    except SyntaxError as exc:
        message = shorten(query_syntax_error(sparql, exc))
        where = re.match(r"error at (\d+):(\d+): ", message)
        if origin and where:
            in_file = f"{origin}:{where[1]}:{where[2]}: "
            message = message[where.end():]
        raise InputError(f"{in_file}invalid SPARQL: {message}") from None
    except RuntimeError as exc:  # e.g. a substituted variable the query does not project
        raise InputError(f"{in_file}SPARQL query failed: {shorten(str(exc))}") from None


REASONERS = ("rules", "owlrl")


def open_graph(data=None, progress: Progress | None = None, reasoner: str = "rules") -> CompiledGraph:
    """The compiled graph of the given inputs (see `find_inputs`), built if needed.

    `reasoner` is "rules" (OWL 2 RL rules inside the store, fast at any size) or "owlrl"
    (the reference implementation, slow beyond a few thousand triples).
    """
    expect(reasoner, str, "open_graph reasoner", f"{' or '.join(map(repr, REASONERS))}")
    if progress is not None and not callable(progress):  # it failed only when a build ran
        raise TypeError(f"open_graph progress: a function of one step's text, not a "
                        f"{type(progress).__name__}")
    if reasoner not in REASONERS:
        raise InputError(f"unknown reasoner {reasoner!r} (choose {' or '.join(REASONERS)})")
    inputs = data if isinstance(data, Inputs) else find_inputs(data)
    salt = f"{__version__}/{BUILD_FORMAT}/{reasoner}"
    files = inputs.key_files  # listed once, for their stat, their digest and a build alike
    key_file = input_key_file(files, salt)
    remembered = read_key(key_file)
    if remembered:
        opened = open_built(cache_root() / remembered)
        if opened is not None:
            store, held = opened
            return CompiledGraph(store, inputs, remembered, cache_root() / remembered, held)
    # A build is named by the bytes as they are now, and made of these very bytes: a
    # remembered key whose build is gone or damaged is no name for one of bytes read again.
    texts = read_texts(files)
    key = content_key(salt, texts)
    path = cache_root() / key
    # not opened twice where the remembered key named it: a damaged dump parsed again
    opened = open_built(path) if key != remembered else None
    if opened is None:  # key_files: the graph's files, then the shapes, which it leaves out
        rebuild(texts[:-1], path, progress or (lambda step: None), reasoner)
        opened = open_built(path)
        if opened is None:  # removed or damaged at once, by another process
            raise InputError(f"{path}: the compiled graph cannot be opened right after its "
                             f"build (did another process remove it?); run the command again")
    store, held = opened
    # not if a file changed, came or went while it was hashed or built: then its stat or
    # the list names other bytes than the build holds
    if (key_file is not None and inputs.key_files == files
            and input_key_file(files, salt) == key_file):
        from kg.writing import keep_file

        keep_file(key_file, key.encode("ascii"), INPUT_KEYS_BYTES)
    return CompiledGraph(store, inputs, key, path, held)


def open_built(path: Path) -> tuple[ox.Store, object] | None:
    """The store of the complete build in `path` and the lock held on it (see `hold`);
    None if there is none, or it cannot be opened (a damaged store, or a dump damaged but
    for its size): the caller then hashes the inputs, and builds them if need be."""
    held = hold(path)
    if held is None or not is_complete(path):
        if held is not None:
            held.close()
        return None
    try:
        return open_store(path), held
    except (OSError, SyntaxError):
        held.close()
        return None


def input_key_file(files: list[Path], salt: str) -> Path | None:
    """Where the digest of the files as they are now is remembered; None where the stat
    of one of them might not tell a change (see tells_any_change), or it cannot be
    stat'ed (reading it says why)."""
    import hashlib

    try:
        stats = [os.stat(path) for path in files]
    except OSError:
        return None
    now = time.time()
    if not all(tells_any_change(status, now) for status in stats):
        return None
    signature = json.dumps([salt] + [
        [str(path), status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino,
         status.st_dev] for path, status in zip(files, stats)])
    name = hashlib.blake2b(signature.encode("utf-8"), digest_size=16).hexdigest()
    return cache_root() / INPUT_KEYS_FOLDER / f"{name}.key"


def tells_any_change(status: os.stat_result, now: float) -> bool:
    """Whether any later write to the file changes this stat of it: the file has not
    changed for RACY_SECONDS, and its ctime is its file system's own (a fraction of a
    second tells it from an mtime copied into it)."""
    return (max(status.st_mtime, status.st_ctime) <= now - RACY_SECONDS
            and status.st_ctime_ns % 1_000_000_000 != 0)


def read_key(key_file: Path | None) -> str | None:
    """The digest remembered in `key_file`, if it is one (a damaged file is no error)."""
    if key_file is None:
        return None
    from kg.writing import read_kept

    key = (read_kept(key_file) or b"").decode("ascii", errors="replace")
    return key if re.fullmatch(f"[0-9a-f]{{{2 * CONTENT_KEY_BYTES}}}", key) else None


def hold(path: Path):
    """A shared lock on a build, for as long as the returned file stays open (None if
    there is no build): `prune` leaves a build in use alone, as `kg serve` or a Python
    session reads its N-Triples files long after opening it."""
    import fcntl

    try:
        held = open(path / "build.json", "rb")
    except OSError:
        return None
    fcntl.flock(held, fcntl.LOCK_SH)  # waits only while a prune removes this very build
    return held


def rebuild(texts: list[TurtleText], path: Path, progress: Progress, reasoner: str) -> None:
    """Build into `path`, first removing what a damaged or interrupted build left there."""
    if path.exists():
        import shutil

        shutil.rmtree(path, ignore_errors=True)
    build(texts, path, progress, reasoner)


def build_id(path: Path, held=None) -> str:
    """The random id the build in `path` was given, read from `held` (its build.json as
    `hold` opened it) if given, which stays that of the build a process opened even once
    another has replaced it; "" if there is none."""
    try:
        if held is None:
            written = (path / "build.json").read_bytes()
        else:
            held.seek(0)
            written = held.read()
        found = json.loads(written).get("id", "")
    except (OSError, ValueError, AttributeError):
        return ""
    return found if isinstance(found, str) else ""


def is_complete(path: Path) -> bool:
    """Whether a build is there and its files have the sizes it wrote (a few stat calls):
    a damaged cache (a file deleted or emptied) is rebuilt, never read as a smaller graph."""
    try:
        written = json.loads((path / "build.json").read_text())["files"]
        return all((path / name).stat().st_size == size for name, size in written.items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def open_store(path: Path) -> ox.Store:
    if (path / DUMP_FILE).is_file():
        # Not Store.load: it gives blank nodes new labels in every process, so the same
        # query would list citations under other labels, in another order, each time.
        store = ox.Store()
        store.bulk_extend(ox.parse(path=path / DUMP_FILE, format=ox.RdfFormat.N_QUADS,
                                   lenient=True))
        return store
    return ox.Store.read_only(str(path / "store"))


@collector_paused()
def build(texts: list[TurtleText], path: Path, progress: Progress,
          reasoner: str = "rules") -> None:
    """Parse the graph's Turtle (the files' bytes as `read_texts` read them), infer and
    store into a staging folder, then rename it to `path`."""
    import shutil  # these four are not on the query path: 8 ms
    import tempfile
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    from kg.inference import count
    from kg.loading import parse_file

    started = time.perf_counter()
    progress("parsing Turtle")
    asserted = [quad for text in texts for quad in parse_file(text)]
    existing = next(folder for folder in (path.parent, *path.parent.parents) if folder.exists())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=path.parent))
    except OSError as exc:  # a file in the way, no permission
        raise InputError(f"{path.parent}: cannot hold the compiled graph ({exc.strerror}); set "
                         f"{CACHE_ENV} to a writable folder") from None
    try:
        # The store canonicalises literals (xsd:nonNegativeInteger becomes xsd:integer), so
        # the exact asserted triples are kept as N-Triples for rdflib, validation and export.
        ntriples = ox.serialize(asserted, format=ox.RdfFormat.N_TRIPLES)
        (staging / ASSERTED_FILE).write_bytes(ntriples)
        (staging / EXACT_FILE).write_bytes(ox.serialize(exact_literals(ntriples),
                                                        format=ox.RdfFormat.N_TRIPLES))
        del ntriples
        asserted_count = len(asserted)
        store = asserted_store(asserted)
        del asserted  # its memory is needed for inference
        on_disk = ox.Store(str(staging / "store")) if asserted_count >= SMALL_GRAPH_QUADS else None
        progress(f"inferring (OWL 2 RL, {reasoner})")
        with ThreadPoolExecutor(max_workers=1) as to_disk:
            # A large graph goes into the on-disk store in a thread of its own, first its
            # asserted triples, then what each pass of inference found, while the next
            # passes run: the rules run in Oxigraph without holding Python's GIL. Loading
            # holds it, and reads the file just written, or what a pass found as
            # N-Triples, not the in-memory store that inference writes to (that slowed
            # both). Loading all inferred triples after inference instead, the 1M build
            # took 81-92 s where this takes 65-78 (three alternate pairs, slow stretch).
            loads = []

            def load_found(ntriples: bytes) -> None:
                for load in loads:  # a load that failed (a full disk) stops inference
                    if load.done():
                        load.result()
                loads.append(to_disk.submit(load_ntriples, on_disk, staging, INFERRED, ntriples))

            try:
                if on_disk is not None:
                    loads.append(to_disk.submit(load_ntriples, on_disk, staging, ASSERTED))
                infer_into(store, reasoner, load_found if on_disk is not None else None)
                progress("writing the compiled store")
                store.dump(staging / INFERRED_FILE, format=ox.RdfFormat.N_TRIPLES,
                           from_graph=INFERRED)
                (staging / CONTEXT_FILE).write_bytes(ox.serialize(
                    context_of(store), format=ox.RdfFormat.N_TRIPLES))
                (staging / LABELS_FILE).write_text("".join(
                    f"{key}\t{iri}\n" for key, iris in sorted(label_keys(store).items())
                    for iri in sorted(iris)), encoding="utf-8")
                (staging / NODE_LABELS_FILE).write_text(json.dumps(
                    node_labels(store), ensure_ascii=False), encoding="utf-8")
                inferred_count = count(store, INFERRED)
                for load in loads:
                    load.result()
            except BaseException:  # what is not loading yet is not needed (Ctrl-C, say)
                to_disk.shutdown(cancel_futures=True)
                raise
        if on_disk is None and asserted_count + inferred_count >= SMALL_GRAPH_QUADS:
            on_disk = ox.Store(str(staging / "store"))
            load_ntriples(on_disk, staging, ASSERTED)
            load_ntriples(on_disk, staging, INFERRED)
        if on_disk is None:
            store.dump(staging / DUMP_FILE, format=ox.RdfFormat.N_QUADS)
        else:
            del store  # its memory is needed for compaction
            on_disk.optimize()  # 2-9 s at 1M; filtered queries then run 10-15% faster
            del on_disk
        metadata = {
            "id": uuid.uuid4().hex,
            "kg_version": __version__,
            "reasoner": reasoner,
            "inputs": [text.name for text in texts],
            "asserted_triples": asserted_count,
            "inferred_triples": inferred_count,
            "build_seconds": round(time.perf_counter() - started, 3),
            "files": {name: (staging / name).stat().st_size for name in
                      (ASSERTED_FILE, INFERRED_FILE, CONTEXT_FILE, EXACT_FILE, LABELS_FILE,
                       NODE_LABELS_FILE, DUMP_FILE)
                      if (staging / name).is_file()},
        }
        (staging / "build.json").write_text(json.dumps(metadata, indent=2))
        try:
            staging.rename(path)
        except OSError:
            if not (path / "build.json").is_file():  # not a concurrent build that won
                raise
    except OSError as exc:  # a full disk: the cache is at fault, not the output
        shutil.rmtree(staging, ignore_errors=True)
        remove_empty_folders(path.parent, existing)
        raise InputError(f"{path.parent}: cannot write the compiled graph there "
                         f"({exc.strerror or exc}); free some space or set {CACHE_ENV} to "
                         f"another folder") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    prune(path.parent, keep=path)


def remove_empty_folders(folder: Path, existing: Path) -> None:
    """Remove `folder` and its parents below `existing` (which was there before), as long
    as they are empty: what a failed build made and left empty."""
    while folder != existing:
        try:
            folder.rmdir()
        except OSError:  # not empty, or not ours to remove
            return
        folder = folder.parent


def materialised(asserted: list, reasoner: str = "rules") -> ox.Store:
    """An in-memory store of the asserted triples and what they imply, in two graphs
    (in memory, inference runs several times faster than on RocksDB)."""
    store = asserted_store(asserted)
    infer_into(store, reasoner)
    return store


@contextmanager
def with_candidate(graph: CompiledGraph, candidate: list) -> Iterator[tuple[ox.Store, list]]:
    """(a copy of the compiled store with the `candidate` quads asserted and what they
    imply, the triples the candidate adds: its own, some of which the graph may have
    already, and those they imply), for as long as the `with` lasts.

    An on-disk store is copied as a RocksDB backup, hard links to its files (4 ms at a
    million triples, where loading the triples again and inferring from scratch took a
    minute); a small one, in memory. What the candidate implies is inferred from its
    triples alone (kg.inference.extend), unless it states schema, which changes what
    follows from every triple: then the copy is inferred from scratch.
    """
    import shutil

    from kg.inference import extend, states_schema

    if states_schema(candidate) or graph.metadata()["reasoner"] != "rules":
        scratch = materialised(graph.asserted_quads() + candidate, graph.metadata()["reasoner"])
        yield scratch, [q.triple for q in scratch.quads_for_pattern(None, None, None, None)
                        if q not in graph.store]
        return
    copy, folder = writable_copy(graph)
    try:
        yield copy, [q.triple for q in candidate] + extend(copy, candidate)
    finally:
        # RocksDB holds its files until the caller drops the store too; on POSIX they
        # can be removed meanwhile
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def writable_copy(graph: CompiledGraph) -> tuple[ox.Store, Path | None]:
    """A copy of the compiled store to write to, and the folder that holds it (None: in
    memory). Beside the builds, a backup is hard links; a cache folder that takes no
    writes (a build made read-only) leaves it to the system's temporary folder, where it
    is a copy of the files."""
    import shutil
    import tempfile

    if (graph.path / DUMP_FILE).is_file():
        copy = ox.Store()
        copy.bulk_extend(graph.store.quads_for_pattern(None, None, None, None))
        return copy, None
    failure = ""
    for place in (graph.path.parent, None):  # None: the system's temporary folder
        folder = None
        try:
            folder = Path(tempfile.mkdtemp(prefix=".candidate-", dir=place))
            graph.store.backup(str(folder / "store"))
            return ox.Store(str(folder / "store")), folder
        except OSError as exc:  # a cache folder that takes no writes, a full disk
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            failure = " ".join(str(exc).split())
    raise InputError(f"{graph.path.parent}: cannot copy the compiled graph there, nor to the "
                     f"temporary folder, to check the candidate ({failure}); free some space "
                     f"or set {CACHE_ENV} to another folder")


def context_of(store: ox.Store) -> list:
    """The triples of CONTEXT_QUERY in the store."""
    return list(store.query(CONTEXT_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True))


def label_keys(store: ox.Store) -> dict[str, set[str]]:
    """Which project nodes (IRIs) each label of the store names, by kg.catalog.label_key."""
    from kg.catalog import label_key

    named_by: dict[str, set[str]] = {}
    for row in store.query(LABELS_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True):
        named_by.setdefault(label_key(row["label"].value), set()).add(row["node"].value)
    return named_by


def preferred_label(labels) -> str | None:
    """The label a node is printed by: one tagged @en first, then the first in code point
    order (an IRI given as a label, which validation reports, is none)."""
    return min(((label.language != "en", label.value) for label in labels
                if isinstance(label, ox.Literal)), default=(None, None))[1]


def node_labels(store: ox.Store) -> dict[str, str]:
    """Each named node's preferred_label, by IRI."""
    labels: dict[str, list] = {}
    for quad in store.quads_for_pattern(None, RDFS_LABEL, None):
        if isinstance(quad.subject, ox.NamedNode):
            labels.setdefault(quad.subject.value, []).append(quad.object)
    return {iri: label for iri, of_node in labels.items()
            if (label := preferred_label(of_node)) is not None}


def as_uri_refs(named_by: dict[str, set[str]]) -> dict[str, set]:
    """label_keys' IRIs as the rdflib URIRefs lint compares."""
    from rdflib import URIRef

    return {key: {URIRef(iri) for iri in iris} for key, iris in named_by.items()}


def exact_literals(ntriples: bytes) -> list:
    """The typed literals of the asserted triples (`ntriples`) of each subject and
    predicate of which the store keeps one in another form ("07"^^xsd:nonNegativeInteger
    as "7"^^xsd:integer): all of them, as the store merges such a one with one it keeps
    as written. Strings and tags it keeps as the parser gives them.

    Their triples are found by their text (`"^^<`): a test of each parsed quad in Python
    took 3 s at a million triples."""
    lines = []
    for match in TYPED_LITERAL.finditer(ntriples):  # an escaped \"^^< in a string too
        start = ntriples.rfind(b"\n", 0, match.start()) + 1
        lines.append(ntriples[start:ntriples.index(b"\n", match.end()) + 1])
    typed = [quad for quad in ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)
             if is_typed(quad.object)]
    scratch = ox.Store()
    scratch.extend(typed)
    stored = set(scratch)
    changed = {(quad.subject, quad.predicate) for quad in typed if quad not in stored}
    return list(dict.fromkeys(quad for quad in typed if (quad.subject, quad.predicate) in changed))


def is_typed(term) -> bool:
    """Whether the term is a literal of a datatype other than a string's."""
    return isinstance(term, ox.Literal) and term.datatype not in (XSD_STRING, RDF_LANG_STRING)



def load_ntriples(on_disk: ox.Store, staging: Path, graph: ox.NamedNode,
                  ntriples: bytes | None = None) -> None:
    """Bulk-load into one graph of `on_disk` the build's N-Triples file of that graph, or
    `ntriples`, what a pass of inference found. Memberships of anonymous classes are left
    out of the inferred graph: inference needs them on its way, then drops them (see
    kg.inference.is_anonymous_membership).

    Blank nodes keep their labels, so that a citation is one node in the asserted and
    the inferred graph (`Store.bulk_load` gives them new ones).
    """
    from kg.inference import is_anonymous_membership

    triples = (ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES) if ntriples is not None else
               ox.parse(path=staging / GRAPH_FILES[graph], format=ox.RdfFormat.N_TRIPLES))
    if graph == INFERRED:
        triples = (t for t in triples if not is_anonymous_membership(t))
    on_disk.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)


def asserted_store(asserted: list) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ASSERTED) for q in asserted)
    return store


def infer_into(store: ox.Store, reasoner: str,
               found: Callable[[bytes], None] | None = None) -> None:
    """Infer from the store's asserted graph into its inferred one; `found`, if given,
    takes what is inferred as N-Triples, in parts (see kg.inference.materialise)."""
    from kg.inference import materialise

    if reasoner == "owlrl":
        infer_with_owlrl(store)
        if found is not None:
            found(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=INFERRED))
    else:
        materialise(store, found)


def rdflib_graph_of(*documents, on_first=None):
    """An rdflib Graph of documents (iterables of pyoxigraph triples or quads).

    A blank node label names the same node in each. `on_first`, if given, is called with
    the first document's triples, as a list of rdflib (subject, predicate, object) tuples.
    """
    import rdflib

    from kg.loading import rdflib_triples

    graph = rdflib.Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for number, document in enumerate(documents):
        triples = rdflib_triples(document)
        if number == 0 and on_first:
            triples = list(triples)
            on_first(triples)
        graph.addN((*triple, graph) for triple in triples)
    return graph


def infer_with_owlrl(store: ox.Store) -> None:
    """The reference reasoner: owlrl's closure of the asserted graph, into the inferred one."""
    from kg.inference import infer

    asserted = rdflib_graph_of(store.quads_for_pattern(None, None, None, ASSERTED))
    store.bulk_extend(to_quad(t, INFERRED) for t in infer(asserted) if t not in asserted)


def query_syntax_error(sparql: str, exc: SyntaxError) -> str:
    """What to say of a query that does not parse, `error at L:C: ...`, wherever it was
    sent (kg sparql, canned queries, kg serve): an undeclared prefix by name, which
    Oxigraph reports as what it expected instead, else Oxigraph's message made readable."""
    from kg.safety import readable_syntax_error

    engine_message = " ".join(str(exc).split())
    return (unknown_prefix_message(sparql, engine_message)
            or readable_syntax_error(sparql, engine_message))


def unknown_prefix_message(sparql: str, engine_message: str = "") -> str | None:
    """The error to show for a query that does not parse, when an undeclared prefix is
    its cause, else None (show the engine's message). `engine_message` is Oxigraph's."""
    from kg.safety import undeclared_prefix

    found = undeclared_prefix(sparql, PREFIXES)
    if not found:
        return None
    prefix, line, column = found
    if sparql.split("\n")[line - 1][column - 2:column - 1] == "<":
        # `<http://example.org/a b>` does not parse as an IRI, so `http:` looks like a
        # prefixed name: the IRI is at fault
        rest = sparql.split("\n")[line - 1][column - 2:]
        written = rest[:rest.index(">") + 1] if ">" in rest else rest
        return (f"error at {line}:{column - 1}: invalid IRI {written}: an IRI ends at > "
                f"and holds no space, \", {{, }}, |, ^, ` or \\ (percent-encode them)")
    engine_at = re.match(r"error at (\d+):(\d+): ", engine_message)
    if engine_at and (int(engine_at[1]), int(engine_at[2])) < (line, column):
        return None  # Oxigraph stumbled on something before the prefixed name
    return (f"error at {line}:{column}: unknown prefix {prefix}: (declare it: "
            f"PREFIX {prefix}: <IRI>)")


def shorten(message: str, limit: int = 160) -> str:
    """One line of at most `limit` characters (Oxigraph lists every expected token)."""
    line = " ".join(message.split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


# A copy for a candidate's check lasts as long as the check (see with_candidate); one this
# old was left by a process that was killed, and holds on to the files of its build.
STALE_COPY_SECONDS = 24 * 3600


def prune(root: Path, keep: Path) -> None:
    """Remove all but the most recently built compiled stores, except those in use, and
    copies for candidates' checks left by killed processes."""
    import shutil

    built_at = {}
    for path in root.iterdir():
        if path.name.startswith(".candidate-"):
            try:
                if time.time() - path.stat().st_mtime > STALE_COPY_SECONDS:
                    shutil.rmtree(path, ignore_errors=True)
            except FileNotFoundError:  # its check just ended
                pass
        elif path.is_dir() and not path.name.startswith("."):
            try:
                built_at[path] = built_time(path)
            except FileNotFoundError:  # another process building at once pruned it
                continue
    for old in sorted(built_at, key=built_at.get, reverse=True)[KEEP_BUILDS:]:
        if old != keep:
            remove_unless_held(old)


def built_time(build: Path) -> float:
    """When the build was written: its build.json's time, as kept results change the
    folder's own; the folder's for one half built or damaged."""
    try:
        return (build / "build.json").stat().st_mtime
    except OSError:  # not there, or another user's build (its folder is theirs alone)
        return build.stat().st_mtime


def remove_unless_held(build: Path) -> None:
    """Remove a build, unless a process holds it (see `hold`); the exclusive lock is kept
    while removing, so that no reader takes the build meanwhile."""
    import fcntl
    import shutil

    try:
        lock = open(build / "build.json", "rb")
    except OSError:  # half built, damaged or half removed: no reader holds it
        shutil.rmtree(build, ignore_errors=True)
        return
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # in use
            return
        shutil.rmtree(build, ignore_errors=True)


def to_term(term):
    """The pyoxigraph term of an rdflib term."""
    from rdflib import BNode, Literal

    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))


def to_quad(triple, graph: ox.NamedNode) -> ox.Quad:
    s, p, o = triple
    return ox.Quad(to_term(s), to_term(p), to_term(o), graph)
