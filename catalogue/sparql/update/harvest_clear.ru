#+ title: Stop harvesting a source
#+ description: Removes the given properties of the source (its harvest settings and state), not its data.
#+ param: registry iri The registry graph
#+ param: source iri The source's resource
#+ param: predicate iris The properties removed
DELETE { GRAPH ?registry { ?source ?predicate ?o } }
WHERE { GRAPH ?registry { ?source ?predicate ?o
#+ values predicate
} }
