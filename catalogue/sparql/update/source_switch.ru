#+ title: Make a version of a source current
#+ description: The registry's pointers to the source's current graph and quarantine replaced, and the run's provenance added: one small transaction, so readers see the old version or the new one, never a mix, whatever the size of the data.
#+ param: registry iri The registry graph
#+ param: source iri The source's resource
#+ param: pointers triples The source, its slug, its current graph and quarantine
#+ param: provenance iri The provenance graph
#+ param: activity triples The run's provenance
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE { GRAPH ?registry { ?source ?p ?o } }
WHERE { GRAPH ?registry { ?source ?p ?o } VALUES ?p { cat:graph cat:quarantine } } ;
INSERT DATA { GRAPH ?registry {
#+ triples pointers
} } ;
INSERT DATA { GRAPH ?provenance {
#+ triples activity
} }
