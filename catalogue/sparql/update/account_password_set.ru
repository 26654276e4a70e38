#+ title: Set an account's password
#+ description: The new hash and a new session version replace the old ones, so every session started with the old password ends.
#+ param: accounts iri The accounts graph
#+ param: user iri The account
#+ param: data triples The new password hash and session version
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE WHERE { GRAPH ?accounts { ?user cat:passwordHash ?h } } ;
DELETE WHERE { GRAPH ?accounts { ?user cat:sessionVersion ?v } } ;
INSERT DATA { GRAPH ?accounts {
#+ triples data
} }
