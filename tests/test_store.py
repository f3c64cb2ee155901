"""Loading the inputs, building and caching the compiled graph, and what inference adds."""

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, URIRef

from kg import store
from kg.errors import InputError
from kg.loading import find_inputs, parse_turtle
from kg.namespaces import AK, AKD, GRAPHS
from kg.store import (ASSERTED_FILE, DUMP_FILE, EXACT_FILE, INFERRED_FILE, LABELS_FILE,
                      NODE_LABELS_FILE, open_graph)


def build_steps(data):
    steps = []
    graph = open_graph(data, progress=steps.append)
    return graph, steps


def test_default_inputs_hold_ontology_data_and_queries():
    inputs = find_inputs()
    assert [p.name for p in inputs.ontology_files] == ["alliance-kg.ttl", "concepts.ttl"]
    assert inputs.shapes_file.is_file()
    assert any(p.name == "sources.ttl" for p in inputs.data_files)
    assert (inputs.queries_dir / "co-production.rq").is_file()


def test_data_option_accepts_a_working_copy_or_its_data_folder(tiny_copy):
    for given in (tiny_copy, tiny_copy / "data"):
        inputs = find_inputs(given)
        assert inputs.data_dir == tiny_copy / "data"
        assert inputs.ontology_dir == tiny_copy / "ontology"
        assert inputs.writable


def test_missing_data_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="data folder not found"):
        find_inputs(tmp_path / "nowhere")


def test_bad_turtle_names_the_file(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ak: <https://w3id.org/alliance-kg/ontology#> .\nak:x ak:y .\n")
    with pytest.raises(InputError) as caught:
        parse_turtle([bad])
    assert str(caught.value) == f"{bad}:2:11: . is not a valid RDF object"


def test_non_utf8_file_is_an_input_error(tmp_path):
    bad = tmp_path / "latin1.ttl"
    bad.write_bytes(b'<http://a> <http://b> "caf\xe9" .\n')
    with pytest.raises(InputError, match="not UTF-8"):
        parse_turtle([bad])


def test_compiled_graph_is_built_once_then_reused(tiny_copy, fresh_cache):
    first, steps = build_steps(tiny_copy)
    assert steps == ["parsing Turtle", "inferring (OWL 2 RL, rules)", "writing the compiled store"]
    second, steps = build_steps(tiny_copy)
    assert steps == []
    assert second.path == first.path
    assert first.path.parent == fresh_cache


@pytest.fixture(params=["just written", "settled"])
def inputs_age(request, monkeypatch, fresh_cache):
    """Inputs hashed on every command (changed lately), or found by their stat."""
    monkeypatch.setattr(store, "RACY_SECONDS", 0 if request.param == "settled" else 3600)
    yield request.param
    assert (fresh_cache / store.INPUT_KEYS_FOLDER).exists() == (request.param == "settled")


def test_changing_a_data_file_invalidates_the_cache(tiny_copy, fresh_cache, inputs_age):
    before, _ = build_steps(tiny_copy)
    data = tiny_copy / "data" / "tiny.ttl"
    data.write_text(data.read_text().replace('"Zapper"@en', '"Zapper One"@en'))
    after, steps = build_steps(tiny_copy)
    assert steps, "a changed file must trigger a rebuild"
    assert after.key != before.key
    assert after.label(ox.NamedNode(AKD + "zapper")) == "Zapper One"


def test_adding_or_removing_a_data_file_invalidates_the_cache(tiny_copy, fresh_cache,
                                                             inputs_age):
    before, _ = build_steps(tiny_copy)
    extra = tiny_copy / "data" / "extra.ttl"
    extra.write_text(
        '<https://w3id.org/alliance-kg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "X"@en .\n')
    after, steps = build_steps(tiny_copy)
    assert steps and after.key != before.key
    extra.unlink()
    assert open_graph(tiny_copy).key == before.key


def count_hashing(monkeypatch) -> list:
    """The salts content_key is called with from now on (it still hashes)."""
    calls = []
    hashing = store.content_key

    def counted(salt, texts):
        calls.append(salt)
        return hashing(salt, texts)

    monkeypatch.setattr(store, "content_key", counted)
    return calls


def test_settled_inputs_are_found_by_their_stat_without_hashing(tiny_copy, fresh_cache,
                                                                monkeypatch):
    monkeypatch.setattr(store, "RACY_SECONDS", 0)
    first = open_graph(tiny_copy)
    hashing = count_hashing(monkeypatch)
    again = open_graph(tiny_copy)
    assert (again.key, again.path, hashing) == (first.key, first.path, [])
    assert [p.read_text() for p in (fresh_cache / store.INPUT_KEYS_FOLDER).iterdir()] == [first.key]


def test_an_input_rewritten_with_its_size_and_mtime_is_hashed_again(tiny_copy, fresh_cache,
                                                                    monkeypatch):
    """Its ctime, which a write sets and no one can set back, tells it from the old one."""
    monkeypatch.setattr(store, "RACY_SECONDS", 0)
    before = open_graph(tiny_copy)
    data = tiny_copy / "data" / "tiny.ttl"
    status = data.stat()
    data.write_text(data.read_text().replace('"Zapper"@en', '"Zipper"@en'))
    os.utime(data, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert (data.stat().st_size, data.stat().st_mtime_ns) == (status.st_size, status.st_mtime_ns)
    hashing = count_hashing(monkeypatch)
    after = open_graph(tiny_copy)
    assert len(hashing) == 1 and after.key != before.key
    assert after.label(ox.NamedNode(AKD + "zapper")) == "Zipper"


def test_inputs_changed_lately_are_hashed_each_time(tiny_copy, fresh_cache, monkeypatch):
    """A file written again within a tick of its file system's clock could keep its stat."""
    monkeypatch.setattr(store, "RACY_SECONDS", 3600)
    open_graph(tiny_copy)
    hashing = count_hashing(monkeypatch)
    open_graph(tiny_copy)
    assert len(hashing) == 1
    assert not (fresh_cache / store.INPUT_KEYS_FOLDER).exists()


@pytest.mark.parametrize("modified, changed, fraction, trusted", [
    (-10, -10, 0.25, True),
    (-1, -1, 0.25, False),  # written again within its clock's tick, it could keep its stat
    (-10, -1, 0.25, False),  # its mtime set back just now
    (+60, +60, 0.25, False),  # ahead of this machine's clock (another machine's file system)
    (-10, -10, 0.0, False),  # a ctime in whole seconds: FAT's is a copy of the mtime
])
def test_only_a_stat_that_any_change_would_change_is_trusted(monkeypatch, modified, changed,
                                                              fraction, trusted):
    from types import SimpleNamespace

    monkeypatch.setattr(store, "RACY_SECONDS", 3)
    now = 1_000_000.0
    ctime = now + changed + fraction
    status = SimpleNamespace(st_mtime=now + modified, st_ctime=ctime,
                             st_ctime_ns=int(ctime * 10**9))
    assert store.tells_any_change(status, now) == trusted


def test_inputs_written_while_hashed_are_not_remembered(tiny_copy, fresh_cache, monkeypatch):
    """Their stat, taken before, names other bytes than the key, which is of the new ones."""
    monkeypatch.setattr(store, "RACY_SECONDS", 0)
    data = tiny_copy / "data" / "tiny.ttl"
    reading = store.read_texts

    def rewritten_meanwhile(files):
        data.write_text(data.read_text().replace('"Zapper"@en', '"Zipper"@en'))
        return reading(files)

    monkeypatch.setattr(store, "read_texts", rewritten_meanwhile)
    open_graph(tiny_copy)
    assert not (fresh_cache / store.INPUT_KEYS_FOLDER).exists()


def test_a_build_holds_the_bytes_its_key_is_a_digest_of(tiny_copy, fresh_cache, monkeypatch):
    """An input edited after it was hashed and before it was built: the build read it
    again, so the old key named a build of the new bytes, which no later command rebuilt."""
    data = tiny_copy / "data" / "tiny.ttl"
    zapper = ox.NamedNode(AKD + "zapper")
    hashing = store.content_key

    def rewritten_after(salt, texts):
        key = hashing(salt, texts)
        data.write_text(data.read_text().replace('"Zapper"@en', '"Zipper"@en'))
        return key

    monkeypatch.setattr(store, "content_key", rewritten_after)
    assert open_graph(tiny_copy).label(zapper) == "Zapper"
    monkeypatch.setattr(store, "content_key", hashing)
    assert open_graph(tiny_copy).label(zapper) == "Zipper"


def test_a_remembered_build_that_cannot_be_opened_is_rebuilt_from_bytes_hashed_anew(
        tiny_copy, fresh_cache, monkeypatch):
    """Its rebuild read the files again, edited meanwhile, under the remembered key: once
    the edit was undone, that key served the edited content."""
    monkeypatch.setattr(store, "RACY_SECONDS", 0)
    data = tiny_copy / "data" / "tiny.ttl"
    zapper = ox.NamedNode(AKD + "zapper")
    original = data.read_text()
    open_graph(tiny_copy)  # remembers its key
    opening = store.open_store

    def edited_then_damaged(path):
        monkeypatch.setattr(store, "open_store", opening)
        data.write_text(original.replace('"Zapper"@en', '"Zipper"@en'))
        raise OSError("damaged")

    monkeypatch.setattr(store, "open_store", edited_then_damaged)
    assert open_graph(tiny_copy).label(zapper) == "Zipper"
    data.write_text(original)
    assert open_graph(tiny_copy).label(zapper) == "Zapper"


def test_the_least_recently_used_keys_are_removed(tiny_copy, fresh_cache, monkeypatch):
    monkeypatch.setattr(store, "RACY_SECONDS", 0)
    key = open_graph(tiny_copy).key
    folder = fresh_cache / store.INPUT_KEYS_FOLDER
    [used] = folder.iterdir()
    older = folder / "older.key"
    older.write_text(key)
    now = used.stat().st_mtime
    for age, path in ((7200, used), (3600, older)):
        os.utime(path, (now - age, now - age))
    open_graph(tiny_copy)  # reads `used` again
    monkeypatch.setattr(store, "INPUT_KEYS_BYTES", 2 * len(key))
    (tiny_copy / "data" / "more.ttl").write_text("")
    open_graph(tiny_copy)  # remembers a third key, for one more file
    assert used.exists() and not older.exists()


@pytest.mark.parametrize("written", ["../../elsewhere",  # damaged
                                     "0" * 32])  # no build: one made now is named by the bytes
def test_a_damaged_remembered_key_is_hashed_again(tiny_copy, fresh_cache, monkeypatch, written):
    monkeypatch.setattr(store, "RACY_SECONDS", 0)
    first = open_graph(tiny_copy)
    [remembered] = (fresh_cache / store.INPUT_KEYS_FOLDER).iterdir()
    remembered.write_text(written)
    hashing = count_hashing(monkeypatch)
    assert open_graph(tiny_copy).path == first.path and len(hashing) == 1
    assert remembered.read_text() == first.key


def ask(graph, pattern):
    return bool(graph.query(f"ASK {{ {pattern} }}"))


def test_licensed_production_implies_both_companies_take_part_in_production(tiny_copy):
    graph, _ = build_steps(tiny_copy)
    assert ask(graph, "akd:maker-a ak:takesPartInProductionOf akd:zapper-2")
    assert ask(graph, "akd:maker-b ak:takesPartInProductionOf akd:zapper-2")
    assert ask(graph, "akd:zapper-licence a ak:CoProductionProgram")
    assert ask(graph, "akd:zapper-licence ak:participant akd:maker-b")


def test_agreement_type_concept_implies_the_agreement_class(tiny_copy):
    graph, _ = build_steps(tiny_copy)
    assert ask(graph, "akd:zapper-mou a ak:MemorandumOfUnderstanding")
    assert ask(graph, "akd:zapper-mou ak:citesSource akd:source-test")
    assert ask(graph, "akd:zapper-mou prov:wasDerivedFrom akd:source-test")


def test_variant_of_is_inverse_and_labels_come_from_skos(tiny_copy):
    graph, _ = build_steps(tiny_copy)
    assert ask(graph, "akd:zapper ak:hasVariant akd:zapper-2")
    assert ask(graph, "akc:lower-tier rdfs:label \"lower tier\"@en")


def test_inference_drops_owlrl_noise(tiny_copy):
    graph, _ = build_steps(tiny_copy)
    noise = graph.select("""
        SELECT (COUNT(*) AS ?n) WHERE {
          { ?x owl:sameAs ?x } UNION { ?x rdfs:subClassOf ?x } UNION { ?x a owl:Thing }
          UNION { ?s ?p ?o FILTER(STRSTARTS(STR(?s), STR(rdf:)) || STRSTARTS(STR(?s), STR(owl:))) }
        }""")[1][0][0]
    assert noise.value == "0"


def test_asserted_and_inferred_triples_live_in_separate_graphs(tiny_copy):
    graph, _ = build_steps(tiny_copy)
    asserted = graph.rdflib_graph(inferred=False)
    inferred = graph.rdflib_graph()
    assert len(asserted) < len(inferred)
    assert len(asserted) == len(parse_turtle(find_inputs(tiny_copy).graph_files))
    # a blank-node citation stays one node across both graphs: its asserted quote and
    # its inferred type (from the range of ak:citation) meet on the same node
    typed_with_quote = set(inferred.subjects(RDF.type, URIRef(AK + "Citation"))) & set(
        inferred.subjects(URIRef(AK + "quote")))
    assert len(typed_with_quote) == 6
    # validation reads the asserted triples while they are alone, then the inferred join
    sizes_seen = []
    whole = graph.rdflib_graph(on_asserted=lambda partial: sizes_seen.append(len(partial)))
    assert sizes_seen == [len(asserted)] and len(whole) == len(inferred)


@pytest.mark.parametrize("on_disk_from", ["asserted", "inferred"])
def test_a_large_graph_is_stored_on_disk_with_its_blank_nodes_whole(
        tiny_copy, fresh_cache, monkeypatch, on_disk_from):
    # A graph goes on disk when its asserted triples, or only once inferred ones join
    # them, pass the threshold; lowered here so that the tiny copy does.
    asserted = len(parse_turtle(find_inputs(tiny_copy).graph_files))
    monkeypatch.setattr("kg.store.SMALL_GRAPH_QUADS", 1 if on_disk_from == "asserted" else asserted + 1)
    graph = open_graph(tiny_copy)
    assert (graph.path / "store").is_dir() and not (graph.path / DUMP_FILE).exists()
    metadata = graph.metadata()
    counts = graph.select("""SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }
                             GROUP BY ?g ORDER BY ?g""")[1]
    assert [(g.value.rsplit("/", 1)[1], int(n.value)) for g, n in counts] == [
        ("asserted", metadata["asserted_triples"]), ("inferred", metadata["inferred_triples"])]
    # each citation's asserted quote and inferred type are on the same blank node
    typed_with_quote = graph.select(f"""SELECT (COUNT(*) AS ?n) WHERE {{
        GRAPH <{GRAPHS}asserted> {{ ?citation <{AK}quote> ?quote }}
        GRAPH <{GRAPHS}inferred> {{ ?citation a <{AK}Citation> }} }}""")[1][0][0]
    assert typed_with_quote.value == "6"


@pytest.mark.parametrize("reasoner", ["rules", "owlrl"])
def test_the_inferred_graph_on_disk_is_the_one_inference_ends_with(fresh_cache, monkeypatch,
                                                                   reasoner):
    # On disk, what the rules find is loaded pass by pass while the next passes run,
    # without the memberships of anonymous classes they find on their way (the shipped
    # ontology's owl:hasValue restrictions have members); the file is written from the
    # in-memory store once inference is over.
    monkeypatch.setattr("kg.store.SMALL_GRAPH_QUADS", 1)
    graph = open_graph(reasoner=reasoner)
    in_file = {ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(GRAPHS + "inferred"))
               for t in ox.parse(path=graph.path / INFERRED_FILE, format=ox.RdfFormat.N_TRIPLES)}
    on_disk = set(graph.store.quads_for_pattern(None, None, None,
                                                ox.NamedNode(GRAPHS + "inferred")))
    assert on_disk == in_file and len(on_disk) == graph.metadata()["inferred_triples"] > 3_000


@pytest.mark.parametrize("small_graph_quads", [None, 1])
def test_blank_nodes_keep_their_labels_from_one_opening_to_the_next(
        tiny_copy, fresh_cache, monkeypatch, small_graph_quads):
    # An analyst who runs the same `kg sparql` twice gets the same citation labels, in
    # the same order (a dump loaded with Store.load got new labels in every process).
    if small_graph_quads:
        monkeypatch.setattr("kg.store.SMALL_GRAPH_QUADS", small_graph_quads)
    citations = f"SELECT ?citation WHERE {{ ?s <{AK}citation> ?citation }} ORDER BY ?citation"
    first, second = (open_graph(tiny_copy).select(citations)[1] for _ in range(2))
    assert len(first) == 6 and first == second


@pytest.mark.parametrize("damage", ["empty the dump", "delete the dump", "delete the store",
                                    "garble the dump"])
@pytest.mark.parametrize("remembered", [False, True])
def test_a_damaged_compiled_graph_is_rebuilt_not_read(tiny_copy, fresh_cache, monkeypatch,
                                                      damage, remembered):
    """An emptied dump once answered as an empty graph; a deleted one gave a traceback.
    The same when the build is found by its inputs' remembered key."""
    if remembered:
        monkeypatch.setattr(store, "RACY_SECONDS", 0)
    if damage == "delete the store":
        monkeypatch.setattr("kg.store.SMALL_GRAPH_QUADS", 1)  # an on-disk RocksDB store
    built = open_graph(tiny_copy)
    quads, path = len(built.store), built.path
    del built
    if damage == "empty the dump":
        (path / DUMP_FILE).write_bytes(b"")
    elif damage == "delete the dump":
        (path / DUMP_FILE).unlink()
    elif damage == "garble the dump":  # its size unchanged: it gave a traceback (SyntaxError)
        garble(path / DUMP_FILE)
    else:
        for item in (path / "store").iterdir():
            item.unlink()
    steps = []
    graph = open_graph(tiny_copy, progress=steps.append)
    assert steps and len(graph.store) == quads
    assert (fresh_cache / store.INPUT_KEYS_FOLDER).exists() == remembered


def test_a_data_folder_that_holds_the_shapes_builds_them_into_the_graph(tiny_copy, fresh_cache):
    """The shapes file is keyed but not built, as the ontology's last file: left out by its
    name, it was left out of a graph whose data folder lists it too (--data ontology)."""
    graph = open_graph(tiny_copy / "ontology")
    assert graph.query("ASK { aks:DeclaredClassesShape a sh:NodeShape }")


def garble(path: Path) -> None:
    """Bytes that are not UTF-8 in place of the file's 100th to 103rd."""
    with path.open("r+b") as file:
        file.seek(100)
        file.write(b"\xff" * 4)


@pytest.mark.parametrize("damaged", [ASSERTED_FILE, INFERRED_FILE])
def test_a_damaged_build_file_is_one_error_then_rebuilt(tiny_copy, fresh_cache, damaged):
    """Each command that read it gave a traceback, until the cache was removed by hand."""
    from kg.api import export_graph

    path = open_graph(tiny_copy).path
    garble(path / damaged)
    with pytest.raises(InputError, match=rf"^{path / damaged}: the compiled graph is damaged "
                                         rf"\(Parser error .*\): run the command again to "
                                         rf"rebuild it$"):
        export_graph("ntriples", graph=open_graph(tiny_copy))
    assert export_graph("ntriples", graph=open_graph(tiny_copy))["alliance-kg.nt"]


@pytest.mark.parametrize("damaged", [EXACT_FILE, LABELS_FILE])
def test_a_damaged_index_of_a_candidates_check_is_one_error_then_rebuilt(
        tiny_copy, fresh_cache, damaged):
    from kg.validation import check

    candidate = tiny_copy / "candidate.ttl"  # an interceptor named as the Zapper is
    candidate.write_text("""PREFIX ak: <https://w3id.org/alliance-kg/ontology#>
PREFIX akd: <https://w3id.org/alliance-kg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
akd:zapper-b a ak:InterceptorMissile ; rdfs:label "ZAPPER"@en ;
    ak:citation [ ak:inSource akd:source-test ; ak:quote "The Zapper intercepts short-range missiles." ] .
""")
    data = tiny_copy / "data" / "tiny.ttl"
    data.write_text(data.read_text() + ODD_LITERALS)  # for an exact.nt to garble
    path = open_graph(tiny_copy).path
    garble(path / damaged)
    with pytest.raises(InputError, match=rf"^{path / damaged}: the compiled graph is damaged "
                                         rf"\(.+\): run the command again to rebuild it$"):
        check(open_graph(tiny_copy), [candidate])
    [problem] = check(open_graph(tiny_copy), [candidate]).problems
    assert (problem.shape, problem.message) == (
        "kg:duplicate-label", "this label also names akd:zapper: if it is the same entity, use "
                              "that node; if not, make the labels distinct.")


@pytest.mark.skipif(sys.platform != "linux", reason="needs RLIMIT_FSIZE and SIGXFSZ")
def test_a_cache_that_cannot_take_the_build_is_blamed_not_the_output(working_copy, tmp_path):
    """A full disk under KG_CACHE_DIR was reported as 'cannot write the output', and the
    cache folder kg had made was left behind. A file size limit stands in for the full
    disk: writing past it fails as a full disk does."""
    import resource
    import signal

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, not the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    cache = tmp_path / "made" / "cache"
    done = subprocess.run([sys.executable, "-m", "kg", "--data", str(working_copy), "stats"],
                          capture_output=True, text=True, timeout=300, preexec_fn=small_files,
                          env={**os.environ, "KG_CACHE_DIR": str(cache)})
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"kg: error: {cache}: cannot write the compiled graph there (File "
                           f"too large); free some space or set KG_CACHE_DIR to another folder\n")
    assert not (tmp_path / "made").exists()


def test_a_build_another_process_prunes_meanwhile_is_no_error(tiny_copy, fresh_cache,
                                                              monkeypatch):
    """Two first builds at once, with more than KEEP_BUILDS builds cached, both prune: a
    build one removed between the other's listing it and reading its time raised
    FileNotFoundError out of open_graph."""
    import shutil
    from pathlib import Path

    from kg.store import KEEP_BUILDS

    for number in range(KEEP_BUILDS + 2):
        (fresh_cache / f"old-build-{number}").mkdir()
    pruned_by_the_other = fresh_cache / "old-build-0"
    listed = Path.is_dir

    def is_dir_then_pruned(path):
        found = listed(path)
        if path == pruned_by_the_other:
            shutil.rmtree(path)
        return found

    monkeypatch.setattr(Path, "is_dir", is_dir_then_pruned)
    graph = open_graph(tiny_copy)
    assert len(graph.store) > 0
    assert len([p for p in fresh_cache.iterdir() if not p.name.startswith(".")]) == KEEP_BUILDS


def test_a_build_in_use_is_not_pruned(tiny_copy, fresh_cache, monkeypatch):
    """Newer builds pruned a build that a running kg serve or Python session still read:
    its N-Triples files were gone (FileNotFoundError from an export). A build in use is
    now left until it is let go."""
    import gc

    monkeypatch.setattr(store, "KEEP_BUILDS", 1)
    in_use = open_graph(tiny_copy)
    data = tiny_copy / "data" / "tiny.ttl"
    text = data.read_text(encoding="utf-8")
    for number in range(2):  # two newer builds, one more than KEEP_BUILDS
        data.write_text(text + f"\n# version {number}\n", encoding="utf-8")
        open_graph(tiny_copy)
    assert in_use.path.is_dir() and len(in_use.rdflib_graph()) > 0
    kept = in_use.path
    del in_use
    gc.collect()
    data.write_text(text + "\n# version 2\n", encoding="utf-8")
    open_graph(tiny_copy)
    assert not kept.exists()


@pytest.mark.parametrize("writable", [("temporary",), ()])
def test_a_candidate_checked_in_a_cache_that_takes_no_writes(tmp_path, monkeypatch, writable):
    """The copy of a large store for a candidate's check went beside the builds only: in
    a cache folder made read-only, kg validate of a candidate failed (where it used not
    to need the cache). Now it goes to the temporary folder, is removed after, and where
    that fails too, the error is one line."""
    import tempfile

    from generate import write_working_copy

    from kg.loading import parse_file
    from kg.store import with_candidate

    graph = open_graph(write_working_copy(tmp_path / "syn", 10_000, seed=7))
    assert not (graph.path / DUMP_FILE).is_file()
    candidate = tmp_path / "new.ttl"
    candidate.write_text(f"<{AKD}new-mou> <{AK}party> <{AKD}syn-country-1> .\n")
    real_mkdtemp, made = tempfile.mkdtemp, []

    def mkdtemp(prefix=None, dir=None):
        if dir is not None or "temporary" not in writable:
            raise PermissionError(13, "Permission denied")
        made.append(Path(real_mkdtemp(prefix=prefix, dir=tmp_path)))
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    if not writable:
        with pytest.raises(InputError, match=r"^\S+: cannot copy the compiled graph there, nor "
                                             r"to the temporary folder, .*Permission denied"):
            with with_candidate(graph, parse_file(candidate)):
                pass
        return
    with with_candidate(graph, parse_file(candidate)) as (store, added):
        assert (made[0] / "store").is_dir()
        assert ox.Quad(ox.NamedNode(AKD + "new-mou"), ox.NamedNode(AK + "participant"),
                       ox.NamedNode(AKD + "syn-country-1"),
                       ox.NamedNode(GRAPHS + "inferred")) in store
    assert not made[0].exists()


def test_builds_are_pruned_by_when_they_were_built(tmp_path, monkeypatch):
    """Keeping a query's results in an old build changes its folder's time: it must not
    make it the newest."""
    monkeypatch.setattr(store, "KEEP_BUILDS", 1)
    old, new = tmp_path / "old", tmp_path / "new"
    for age, build in enumerate((new, old)):
        build.mkdir()
        (build / "build.json").write_text("{}")
        then = os.stat(build).st_mtime - 60 * (age + 1)
        os.utime(build / "build.json", (then, then))
    (old / "results").mkdir()  # now the most recently changed folder
    store.prune(tmp_path, keep=tmp_path / "none")
    assert new.is_dir() and not old.exists()


def test_a_copy_left_by_a_killed_check_is_removed_by_the_next_build(tmp_path):
    """A candidate's copy of a large store is removed when its check ends; one left by a
    killed process stayed for ever, holding on to the files of its build."""
    from kg.store import STALE_COPY_SECONDS, prune

    left, running = tmp_path / ".candidate-left", tmp_path / ".candidate-running"
    for folder in (left, running):
        (folder / "store").mkdir(parents=True)
    then = os.stat(left).st_mtime - STALE_COPY_SECONDS - 60
    os.utime(left, (then, then))
    prune(tmp_path, keep=tmp_path / "none")
    assert not left.exists() and running.is_dir()


# Literals the store keeps in another form ("07" as "7"^^xsd:integer), one beside the
# form the store keeps, which it would merge with it, a plain string, one that holds the
# text of a typed literal, and a tag in capitals (which the parser lowers).
ODD_LITERALS = """
akd:zapper ak:count "07"^^xsd:nonNegativeInteger , "7"^^xsd:integer , "seven" ;
    ak:amount "1.50"^^xsd:decimal ;
    rdfs:comment "Not \\"1.50\\"^^<http://www.w3.org/2001/XMLSchema#decimal>" ;
    skos:altLabel "Zapper One"@EN-gb .
"""


@pytest.mark.parametrize("small_graph_quads", [None, 1])
def test_a_nodes_asserted_statements_are_read_as_curated(tiny_copy, fresh_cache, monkeypatch,
                                                         small_graph_quads):
    """A candidate's check reads the statements of the few nodes it touches from the
    store (reading all of asserted.nt took 3 s at a million triples), with the literals
    the store keeps in another form as they were written (the build's exact.nt)."""
    from kg.validation import quads_by_subject

    if small_graph_quads:
        monkeypatch.setattr("kg.store.SMALL_GRAPH_QUADS", small_graph_quads)
    data = tiny_copy / "data" / "tiny.ttl"
    data.write_text(data.read_text() + ODD_LITERALS)
    graph = open_graph(tiny_copy)
    curated = quads_by_subject(graph.asserted_quads())
    assert len(curated[ox.NamedNode(AKD + "zapper")]) > 5
    for subject, quads in curated.items():
        assert sorted(map(str, graph.asserted_about(subject))) == sorted(
            str(q.triple) for q in quads), subject
    assert graph.asserted_about(ox.NamedNode(AKD + "nothing")) == []


def test_the_label_index_is_the_labels_query_of_the_store(graph):
    """Read from the build's labels.tsv: the label query and the keys of its 135,000
    labels took 6 s of a candidate's check at a million triples."""
    from kg.store import as_uri_refs, label_keys

    index = graph.label_index()
    assert index == as_uri_refs(label_keys(graph.store))
    assert index["pac-3"] == {URIRef(AKD + "pac-3")}


MANY_LABELS = """
akd:polyglot rdfs:label "Zeta"@de , "Alpha"@fr , "Mu"@en , "Mu"@en-GB .
akd:no-english rdfs:label "Beta"@de , "Alpha"@fr .
akd:plain rdfs:label "Plain" , "Also plain"@es .
akd:iri-label rdfs:label akd:polyglot .
"""


def test_labels_read_at_once_are_those_looked_up_one_by_one(tiny_copy, fresh_cache,
                                                            monkeypatch):
    """Past LABELS_ONE_BY_ONE lookups, a command reads every label from the build's
    node-labels.json: printing the 27,000 rows of a whole listing at a million triples
    looked up 41,000 labels one by one in 1.4 s. A damaged file is no error."""
    import kg.store

    data = tiny_copy / "data" / "tiny.ttl"
    data.write_text(data.read_text() + MANY_LABELS)
    graph = open_graph(tiny_copy)
    nodes = {term for quad in graph.store for term in (quad.subject, quad.object)
             if isinstance(term, (ox.NamedNode, ox.BlankNode))}
    monkeypatch.setattr(kg.store, "LABELS_ONE_BY_ONE", len(nodes) + 1)
    one_by_one = {node: graph.label(node) for node in nodes}
    monkeypatch.setattr(kg.store, "LABELS_ONE_BY_ONE", 0)
    at_once = open_graph(tiny_copy)
    assert {node: at_once.label(node) for node in nodes} == one_by_one
    assert [one_by_one[ox.NamedNode(AKD + name)] for name in
            ("polyglot", "no-english", "plain", "iri-label", "zapper")] == [
        "Mu", "Alpha", "Also plain", "akd:iri-label", "Zapper"]
    polyglot = ox.NamedNode(AKD + "polyglot")
    garble(at_once.path / NODE_LABELS_FILE)  # read once: this one does not read it again
    assert at_once.label(polyglot) == "Mu"
    damaged = open_graph(tiny_copy)  # the file only saves time: labels looked up one by one
    assert damaged.label(polyglot) == "Mu"
    assert not (damaged.path / "build.json").exists()  # for the next command to rebuild
    assert open_graph(tiny_copy).read_node_labels()[polyglot.value] == "Mu"
