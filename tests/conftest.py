import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
sys.path.insert(0, str(REPO / "benchmarks"))  # the synthetic graph generator, `generate`

# The Hypothesis tests try the same examples on every run, so that a run is red only for
# what a change broke; the "explore" profile tries many new ones each time
# (pytest --hypothesis-profile=explore tests/test_properties.py).
SLOW_EXAMPLES = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
settings.register_profile("repeatable", max_examples=20, derandomize=True, **SLOW_EXAMPLES)
settings.register_profile("explore", max_examples=1000, **SLOW_EXAMPLES)
settings.load_profile("repeatable")


@pytest.fixture(autouse=True, scope="session")
def isolated_environment(tmp_path_factory):
    """Compiled graphs go to a temporary cache, never the user's; tables are laid out for
    a pipe, not fitted to the window the tests run in ($COLUMNS)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("KG_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    patch.delenv("KG_DATA", raising=False)
    patch.delenv("COLUMNS", raising=False)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def results_never_kept(monkeypatch):
    """Each test runs its queries itself: on a loaded machine, one slow enough to be kept
    would be read back by the next test that asks it. Tests of kg.results keep results
    on purpose; a `kg` process a test starts keeps them as a user's does."""
    from kg import results

    monkeypatch.setattr(results, "KEEP_AFTER_SECONDS", float("inf"))


@pytest.fixture
def fresh_cache(tmp_path_factory, monkeypatch):
    """An empty compiled-graph cache for this test only."""
    cache = tmp_path_factory.mktemp("fresh-cache")
    monkeypatch.setenv("KG_CACHE_DIR", str(cache))
    return cache


@pytest.fixture(scope="session")
def graph():
    """The compiled graph of the shipped ontology and data."""
    from kg.store import open_graph

    return open_graph()


@pytest.fixture
def working_copy(tmp_path):
    """A writable copy of the repository's ontology, data and queries."""
    for name in ("ontology", "data", "queries"):
        shutil.copytree(REPO / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def tiny_copy(tmp_path):
    """A working copy whose data is only tests/fixtures/tiny.ttl: quick to build."""
    shutil.copytree(REPO / "ontology", tmp_path / "ontology")
    shutil.copytree(REPO / "queries", tmp_path / "queries")
    (tmp_path / "data").mkdir()
    shutil.copy(REPO / "tests" / "fixtures" / "tiny.ttl", tmp_path / "data" / "tiny.ttl")
    return tmp_path
