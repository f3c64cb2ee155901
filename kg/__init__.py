"""alliance-kg: a source-cited knowledge graph of alliances and missile defense.

The Python API (see README.md): `open_graph()` gives the compiled graph to query;
`rdflib_graph()` the inferred graph as an rdflib Graph.
"""

__version__ = "0.1.0"


def __getattr__(name):
    # Lazy, so that `import kg` stays cheap on the CLI's query path. import_module, not
    # `from kg import api`: that looks the name up on this module and recurses here.
    import importlib

    api = importlib.import_module("kg.api")
    if name in api.__all__:
        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
