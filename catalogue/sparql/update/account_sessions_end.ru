#+ title: End every session of an account
#+ description: A new session version replaces the old one, so the cookies already handed out no longer sign anyone in.
#+ param: accounts iri The accounts graph
#+ param: user iri The account
#+ param: data triples The new session version
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE WHERE { GRAPH ?accounts { ?user cat:sessionVersion ?v } } ;
INSERT DATA { GRAPH ?accounts {
#+ triples data
} }
