#+ title: Hide a record
#+ description: A moderator hides a record: the action with who and when in the private curation graph, the record with its public reason and when in the public hidden graph, in one transaction (catalogue/quality/curation.py).
#+ param: curation iri The private curation graph
#+ param: hidden iri The public hidden graph
#+ param: action triples The action (who, when, the reason)
#+ param: public triples The hiding as the public sees it (the record, the reason, when)
INSERT DATA {
  GRAPH ?curation {
#+ triples action
  }
  GRAPH ?hidden {
#+ triples public
  }
}
