#+ title: Replace a draft proposal's record
#+ description: The record, the time of the change and its event, only while the proposal is still a draft.
#+ param: moderation iri The moderation graph
#+ param: draft iri The proposal's own graph
#+ param: proposal iri The proposal
#+ param: changed literal When (xsd:dateTime)
#+ param: record triples The new solution record
#+ param: event triples The edit's event
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE { GRAPH ?draft { ?s ?p ?o } }
WHERE { GRAPH ?moderation { ?proposal cat:state "draft" } GRAPH ?draft { ?s ?p ?o } } ;
INSERT { GRAPH ?draft {
#+ triples record
} }
WHERE { GRAPH ?moderation { ?proposal cat:state "draft" } } ;
DELETE { GRAPH ?moderation { ?proposal cat:changedAt ?c } }
INSERT { GRAPH ?moderation { ?proposal cat:changedAt ?changed .
#+ triples event
} }
WHERE { GRAPH ?moderation { ?proposal cat:state "draft" } GRAPH ?moderation { ?proposal cat:changedAt ?c } }
