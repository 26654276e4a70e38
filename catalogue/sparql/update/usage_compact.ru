#+ title: Merge usage increments into one count per resource and day
#+ description: Deletes exactly the count triples read (old), and inserts their sums on the resource's node of that day (data), in one transaction: increments flushed meanwhile are other nodes, left alone. Run by one process at a time (the usage-compaction lease): two merges of the same triples would count them twice.
#+ param: usage iri The usage graph (private)
#+ param: old triples The triples merged (read by usage_increments.rq)
#+ param: data triples The merged counts: per q:UsageCount node of a resource and day, its q:resource, q:day and sums
DELETE DATA { GRAPH ?usage {
#+ triples old
} } ;
INSERT DATA { GRAPH ?usage {
#+ triples data
} }
