#+ title: Change comments
#+ description: One change to comments in one transaction (catalogue/community/comments.py): triples leave and enter the public comments graph (visible comments) and the private one (pending, hidden, deleted comments, revisions, reports, moderators' acts), and the public comments' version token is replaced.
#+ param: comments iri The public comments graph
#+ param: private iri The private comments graph
#+ param: version literal The public comments' version after this change
#+ param: drop_public triples Triples leaving the public graph
#+ param: drop_private triples Triples leaving the private graph
#+ param: add_public triples Triples entering the public graph
#+ param: add_private triples Triples entering the private graph
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE DATA {
  GRAPH ?comments {
#+ triples drop_public
  }
  GRAPH ?private {
#+ triples drop_private
  }
} ;
DELETE WHERE { GRAPH ?private { ?private cat:publicVersion ?old } } ;
INSERT DATA {
  GRAPH ?comments {
#+ triples add_public
  }
  GRAPH ?private {
#+ triples add_private
    ?private cat:publicVersion ?version .
  }
}
