"""alliance-kg: a source-cited knowledge graph of alliances and missile defense.

The Python API (see README.md): `open_graph()` gives the compiled graph to query;
`rdflib_graph()` the inferred graph as an rdflib Graph.
"""

__version__ = "0.1.0"


def _api():
    # Lazy, so that `import kg` stays cheap on the CLI's query path. import_module, not
    # `from kg import api`: that looks the name up on this module and recurses here.
    import importlib

    return importlib.import_module("kg.api")


def __getattr__(name):
    api = _api()
    if name in api.__all__:
        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_api().__all__))
