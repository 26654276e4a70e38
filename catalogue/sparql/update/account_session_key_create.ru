#+ title: Create the session signing key
#+ description: Only while there is none: of two processes starting at once, one key is stored and both read it back.
#+ param: accounts iri The accounts graph
#+ param: holder iri The resource holding the key
#+ param: key literal The new key
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
INSERT { GRAPH ?accounts { ?holder cat:sessionKey ?key } }
WHERE { FILTER NOT EXISTS { GRAPH ?accounts { ?x cat:sessionKey ?k } } }
