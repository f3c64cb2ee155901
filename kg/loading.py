"""Where the graph's input files are, what their content key is, and how they are parsed.

Importing this module is cheap (no rdflib): the query path only needs the file list and
the content key; parsing happens only when the compiled graph must be (re)built.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError

PACKAGE_DIR = Path(__file__).resolve().parent
# A wheel carries ontology/, data/ and queries/ under kg/bundled (see pyproject.toml);
# a source checkout has them beside the kg/ folder.
BUNDLED_ROOT = PACKAGE_DIR / "bundled"
SOURCE_ROOT = PACKAGE_DIR.parent
DATA_ENV = "KG_DATA"

ONTOLOGY_FILES = ("alliance-kg.ttl", "concepts.ttl")
SHAPES_FILE = "shapes.ttl"


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
        return sorted(self.data_dir.rglob("*.ttl"))

    @property
    def graph_files(self) -> list[Path]:
        """The Turtle files whose union is the asserted graph."""
        return self.ontology_files + self.data_files

    def content_key(self, salt: str) -> str:
        """A digest of every input's name and bytes: any change gives a new key."""
        digest = hashlib.blake2b(salt.encode(), digest_size=16)
        for path in self.graph_files + [self.shapes_file]:
            digest.update(path.name.encode() + b"\0")
            digest.update(read_bytes(path))
            digest.update(b"\0")
        return digest.hexdigest()


def find_inputs(data: str | os.PathLike | None = None) -> Inputs:
    """The inputs named by `data` (or $KG_DATA), else those bundled with the package.

    `data` may be a working copy (a folder holding data/) or a data folder itself; its
    ontology/ and queries/ are used when the working copy has them, the bundled ones
    otherwise.
    """
    bundled = default_root()
    chosen = data if data is not None else os.environ.get(DATA_ENV) or None
    if chosen is None:
        return Inputs(bundled / "ontology", bundled / "data", bundled / "queries",
                      writable=bundled == SOURCE_ROOT)
    path = Path(chosen).expanduser().resolve()
    if not path.is_dir():
        raise InputError(f"{chosen}: data folder not found")
    data_dir = path / "data" if (path / "data").is_dir() else path
    root = data_dir.parent

    def beside(name: str) -> Path:
        return root / name if (root / name).is_dir() else bundled / name

    return Inputs(beside("ontology"), data_dir, beside("queries"),
                  writable=not data_dir.is_relative_to(BUNDLED_ROOT))


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def parse_turtle(paths, graph=None):
    """Parse Turtle files into one rdflib Graph, from their bytes only (no URL access)."""
    import rdflib

    graph = graph if graph is not None else rdflib.Graph()
    for path in paths:
        data = read_bytes(path)
        try:
            graph.parse(data=data.decode("utf-8"), format="turtle", publicID=path.resolve().as_uri())
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
        except Exception as exc:  # rdflib raises many types for bad Turtle
            raise InputError(f"{path}: invalid Turtle: {turtle_error_message(exc)}") from None
    return graph


def turtle_error_message(exc: Exception) -> str:
    return " ".join(str(exc).split())
