#+ title: Replace a quality scoring run
#+ description: A source's version scored again with the same numbers: its run (and the run's measurements) replaced by the new one, so the trend has one point, not a duplicate a day.
#+ param: graph iri The quality history graph
#+ param: old iri The run replaced
#+ param: data triples The new run and its measurements
PREFIX dqv: <http://www.w3.org/ns/dqv#>
DELETE { GRAPH ?graph { ?s ?p ?o } }
WHERE { GRAPH ?graph { { ?old ?p ?o BIND (?old AS ?s) } UNION { ?old dqv:hasQualityMeasurement ?s . ?s ?p ?o } } } ;
INSERT DATA { GRAPH ?graph {
#+ triples data
} }
