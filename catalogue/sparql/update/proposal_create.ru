#+ title: Save a new proposal
#+ description: Its solution record in its own draft graph, and its workflow (the proposal, state draft, its first event) in the moderation graph.
#+ param: draft iri The proposal's own graph
#+ param: moderation iri The moderation graph
#+ param: record triples The solution record
#+ param: workflow triples The proposal and its first event
INSERT DATA { GRAPH ?draft {
#+ triples record
} } ;
INSERT DATA { GRAPH ?moderation {
#+ triples workflow
} }
