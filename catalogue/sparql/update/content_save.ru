#+ title: Save a community content item
#+ description: Write one content item's whole description into the graph its state belongs in (published and archived: public; draft and proposed: private), removing it from both content graphs first, and add its revision to the private graph, in one transaction: publishing moves an item from private to public in this one update (catalogue/community/content.py).
#+ param: public iri The public content graph
#+ param: private iri The private content graph
#+ param: target iri The graph the item goes to (one of the two)
#+ param: item iri The item's PURI
#+ param: checksum iri The item's checksum node (documents)
#+ param: data triples The item's description
#+ param: history triples The revision (who, when, what)
DELETE WHERE { GRAPH ?public { ?item ?p1 ?o1 } } ;
DELETE WHERE { GRAPH ?private { ?item ?p2 ?o2 } } ;
DELETE WHERE { GRAPH ?public { ?checksum ?p3 ?o3 } } ;
DELETE WHERE { GRAPH ?private { ?checksum ?p4 ?o4 } } ;
INSERT DATA {
  GRAPH ?target {
#+ triples data
  }
  GRAPH ?private {
#+ triples history
  }
}
