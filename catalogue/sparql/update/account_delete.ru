#+ title: Delete an account
#+ description: Every fact about the account and the links mailed to it go; what it wrote elsewhere stays.
#+ param: accounts iri The accounts graph
#+ param: user iri The account
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE { GRAPH ?accounts { ?token ?tp ?to } }
WHERE { GRAPH ?accounts { ?token cat:forUser ?user ; ?tp ?to } } ;
DELETE WHERE { GRAPH ?accounts { ?user ?p ?o } }
