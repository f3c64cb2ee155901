"""The exports as two other RDF toolkits read them, and the shapes as another SHACL engine
runs them: Apache Jena (its RIOT parsers and its SHACL engine) and Eclipse RDF4J (Rio,
the parser GraphDB imports with), from Debian's packages, which .ci/run installs
(`apt-get install default-jdk-headless libapache-jena-java librdf4j-java
libxerces2-java`). Without Java and those packages these tests are skipped."""

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

import kg.export as ex

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEBIAN_JARS = Path("/usr/share/java")
XERCES = DEBIAN_JARS / "xercesImpl.jar"
NEEDED = [DEBIAN_JARS / "jena-cmds.jar", DEBIAN_JARS / "rdf4j-rio-api.jar", XERCES]

pytestmark = pytest.mark.skipif(
    not (shutil.which("java") and shutil.which("apt-cache") and all(map(Path.exists, NEEDED))),
    reason="needs Java, and Debian's libapache-jena-java, librdf4j-java and libxerces2-java")

# slf4j's bridges and bindings refuse to load beside one another; with none, it logs nothing
CLASHING = re.compile(r"/(log4j-over-slf4j|jcl-over-slf4j|jul-to-slf4j|slf4j-(?!api)[a-z0-9]+)"
                      r"(-[\d.]+)?\.jar$")
# Jena's JSON-LD 1.1 reader (Titanium) loads no document at all as Debian packages it
# (LOADING_DOCUMENT_FAILED, even for {"@id": ...}); the export is JSON-LD 1.0 as well
JENA_SYNTAX = {"turtle": "turtle", "ntriples": "ntriples", "rdfxml": "rdfxml",
               "jsonld": "jsonld10", "trig": "trig", "nquads": "nquads"}


def debian_classpath(package: str) -> str:
    """The jars of an installed Debian Java package and of everything it depends on."""
    listing = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--installed", "--no-recommends",
         "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances",
         package], capture_output=True, text=True, check=True).stdout
    packages = sorted({line for line in listing.splitlines()
                       if line.endswith("-java") and not line.startswith(" ")})
    files = subprocess.run(["dpkg", "-L", *packages], capture_output=True, text=True).stdout
    jars = {str(Path(file).resolve()) for file in files.splitlines()
            if Path(file).parent == DEBIAN_JARS and file.endswith(".jar")}
    return ":".join(sorted(jar for jar in jars if not CLASHING.search(jar)))


@pytest.fixture(scope="module")
def xerces_messages(tmp_path_factory) -> Path:
    """Xerces' message files where Debian's Jena 4.5.0 looks for them. Its jena-core.jar
    moves the Xerces classes to `xerces.` but not the files they load, so every Jena
    command fails on starting ("internal error" in SchemaDVFactory); xercesImpl.jar has
    the same files under org/apache/xerces/."""
    folder = tmp_path_factory.mktemp("xerces-messages")
    with zipfile.ZipFile(XERCES) as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/xerces/impl/") and name.endswith(".properties"):
                target = folder / name.removeprefix("org/apache/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return folder


@pytest.fixture(scope="module")
def jena(xerces_messages):
    classpath = f"{xerces_messages}:{debian_classpath('libapache-jena-java')}"

    def run(command: str, *args) -> str:
        """A Jena command's output; its warnings and errors fail the test."""
        done = subprocess.run(["java", "-cp", classpath, command, *map(str, args)],
                              capture_output=True, text=True, timeout=300)
        messages = [line for line in done.stderr.splitlines() if not line.startswith("SLF4J")]
        assert done.returncode == 0 and not messages, "\n".join(messages)
        return done.stdout
    return run


@pytest.fixture(scope="module")
def exports(graph, tmp_path_factory) -> dict[str, Path]:
    """The shipped graph's RDF exports (with inferred triples), as files."""
    folder = tmp_path_factory.mktemp("exports")
    files = {}
    for fmt in ex.RDF_FORMATS:
        (data,) = ex.export(graph, fmt).values()
        files[fmt] = folder / f"kg{ex.FORMATS[fmt].extension}"
        files[fmt].write_bytes(data)
    return files


@pytest.fixture(scope="module")
def read_with_rio(exports) -> dict[str, Path]:
    """Each export as RDF4J's Rio read it, written back as N-Quads."""
    done = subprocess.run(["java", "-cp", debian_classpath("librdf4j-java"),
                           HERE / "interop" / "ReadWithRio.java", *exports.values()],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return {fmt: file.with_name(file.name + ".rio.nq") for fmt, file in exports.items()}


def canonical_nquads(data: bytes) -> list:
    return ex.canonical(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def as_kg_wrote_it(file: Path) -> list:
    """The export's quads as Oxigraph reads them (tests/test_export.py checks that these
    are the graph's), in canonical form."""
    return ex.canonical(ox.parse(path=file, format=ox.RdfFormat.from_extension(file.suffix[1:])))


@pytest.mark.parametrize("fmt", ex.RDF_FORMATS)
def test_jena_reads_each_export_as_kg_wrote_it(jena, exports, fmt):
    quads = jena("riotcmd.riot", f"--syntax={JENA_SYNTAX[fmt]}", "--output=nquads", exports[fmt])
    assert canonical_nquads(quads.encode()) == as_kg_wrote_it(exports[fmt])


@pytest.mark.parametrize("fmt", ex.RDF_FORMATS)
def test_rdf4j_reads_each_export_as_kg_wrote_it(read_with_rio, exports, fmt):
    """Rio checks every literal against its datatype and every language tag."""
    assert canonical_nquads(read_with_rio[fmt].read_bytes()) == as_kg_wrote_it(exports[fmt])


def shacl_results(report: rdflib.Graph) -> set[tuple]:
    """Each result's focus, path, value, shape, component and severity; a path that is a
    blank node (an alternative path) as written, ak:date|ak:startDate, since blank nodes
    of two reports are not the same."""
    from kg.validation import show_path

    keys = (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape,
            SH.sourceConstraintComponent, SH.resultSeverity)
    return {tuple(show_path(value, report) if key == SH.resultPath else value
                  for key, value in ((key, report.value(result, key)) for key in keys))
            for result in report.subjects(rdflib.RDF.type, SH.ValidationResult)}


def test_jena_shacl_reports_what_pyshacl_reports(jena, exports):
    """The shapes are plain SHACL: another engine gives the same results (the shipped
    graph has warnings, so there is something to compare)."""
    import pyshacl

    shapes = REPO / "ontology" / "shapes.ttl"
    report = jena("shacl.shacl_validate", "--shapes", shapes, "--data", exports["turtle"])
    by_jena = shacl_results(rdflib.Graph().parse(data=report, format="turtle"))
    _, by_pyshacl, _ = pyshacl.validate(rdflib.Graph().parse(exports["turtle"]),
                                        shacl_graph=rdflib.Graph().parse(shapes),
                                        inference="none", advanced=True)
    assert by_jena and by_jena == shacl_results(by_pyshacl)
