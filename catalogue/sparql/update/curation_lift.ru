#+ title: Lift a record's hiding
#+ description: A moderator lifts a hide: the action with who and when joins the private curation graph, and every hiding of the record leaves the public hidden graph, in one transaction (catalogue/quality/curation.py).
#+ param: curation iri The private curation graph
#+ param: hidden iri The public hidden graph
#+ param: record iri The record
#+ param: action triples The action (who, when)
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
INSERT DATA {
  GRAPH ?curation {
#+ triples action
  }
} ;
DELETE { GRAPH ?hidden { ?hiding ?p ?o } }
WHERE { GRAPH ?hidden { ?hiding cat:record ?record ; ?p ?o } }
