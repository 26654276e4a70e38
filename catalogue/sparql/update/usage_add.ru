#+ title: Add page views and downloads to the usage counts
#+ description: One flush of the counts kept in memory (catalogue/usage/): the increments are written to a scratch graph of this flush, each is added to the stored count of its resource, day and kind (0 when there is none), and the scratch graph is dropped; one transaction, so a count is added once or not at all.
#+ param: usage iri The usage graph (private)
#+ param: pending iri The scratch graph of this flush
#+ param: data triples The increments: per q:UsageCount node, its q:resource, q:day and the counts to add (q:downloads, q:views, q:dataRequests)
PREFIX q: <https://catalogue.example.org/def/quality#>
INSERT DATA { GRAPH ?pending {
#+ triples data
} } ;
DELETE { GRAPH ?usage { ?counter ?kind ?old } }
INSERT { GRAPH ?usage { ?counter a q:UsageCount ; q:resource ?resource ; q:day ?day ; ?kind ?total } }
WHERE {
  GRAPH ?pending { ?counter q:resource ?resource ; q:day ?day ; ?kind ?add }
  VALUES ?kind { q:downloads q:views q:dataRequests }
  OPTIONAL { GRAPH ?usage { ?counter ?kind ?old } }
  BIND (COALESCE(?old, 0) + ?add AS ?total)
} ;
DROP SILENT GRAPH ?pending
