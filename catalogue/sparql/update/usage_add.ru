#+ title: Add page views and downloads to the usage counts
#+ description: One flush of the counts kept in memory by one process (catalogue/usage/): each (resource, day) increment is a q:UsageCount node of its own, only inserted, never read and rewritten, so flushes of many web workers at the same moment all add up (a read-and-add update lost increments on Oxigraph, which runs concurrent updates on snapshots). Readers sum a resource's nodes of a day; the background worker merges them (usage_compact.ru).
#+ param: usage iri The usage graph (private)
#+ param: data triples The increments: per q:UsageCount node, its q:resource, q:day and the counts to add (q:downloads, q:views, q:dataRequests)
INSERT DATA { GRAPH ?usage {
#+ triples data
} }
