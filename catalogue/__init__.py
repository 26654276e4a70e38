"""An RDF-native catalogue of interoperability solutions (ADMS-AP / DCAT-AP).

The domain package: store access, vocabularies, validation and ingest. It never
imports the web layer (``webapp``); a test keeps it so.
"""

__version__ = "0.1.0"
