#+ title: Replace the link checker's results
#+ description: One link-check run's results as one transaction: the links graph dropped and written again (every q:LinkCheck, the run's times), so a reader sees the previous run or this one.
#+ param: graph iri The links graph
#+ param: data triples Every triple of the graph
DROP SILENT GRAPH ?graph ;
INSERT DATA { GRAPH ?graph {
#+ triples data
} }
