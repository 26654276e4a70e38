"""What a reader sees of a resource: the solution page (``solution``), the pages of
licences, collections, releases, distributions, publishers and EIRA blocks
(``resources``), and the same solution published by several sources (``duplicates``)."""
