#+ title: Set how a source is harvested
#+ description: The source's harvest settings replaced by the new ones (which register the source if it is new); the last harvest's state is kept.
#+ param: registry iri The registry graph
#+ param: source iri The source's resource
#+ param: predicate iris The harvest settings' properties, replaced
#+ param: data triples The source and its new settings
DELETE { GRAPH ?registry { ?source ?predicate ?o } }
WHERE { GRAPH ?registry { ?source ?predicate ?o
#+ values predicate
} } ;
INSERT DATA { GRAPH ?registry {
#+ triples data
} }
