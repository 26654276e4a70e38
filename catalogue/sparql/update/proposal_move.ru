#+ title: Move a proposal to another state
#+ description: Only while it is in a state the action applies to, so two moderators cannot both act on the same state: the state, the time, who moved it and when, the note and the event.
#+ param: moderation iri The moderation graph
#+ param: proposal iri The proposal
#+ param: by iri The predicate recording who brought it to the new state (cat:validatedBy...)
#+ param: at iri The predicate recording when (cat:validatedAt...)
#+ param: state literals The states the action applies to
#+ param: data triples The new state, times, who, note and event
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE { GRAPH ?moderation { ?proposal cat:state ?state . ?proposal cat:changedAt ?c .
  ?proposal ?by ?oldBy . ?proposal ?at ?oldAt . ?proposal cat:note ?n } }
INSERT { GRAPH ?moderation {
#+ triples data
} }
WHERE { GRAPH ?moderation { ?proposal cat:state ?state ; cat:changedAt ?c .
  OPTIONAL { ?proposal ?by ?oldBy } OPTIONAL { ?proposal ?at ?oldAt }
  OPTIONAL { ?proposal cat:note ?n } }
#+ values state
}
