#+ title: A new link to send by mail
#+ description: The account's earlier links of the same purpose stop working; the new one is stored (its secret's hash only).
#+ param: accounts iri The accounts graph
#+ param: user iri The account
#+ param: purpose literal What the link is for ("verify" or "reset")
#+ param: data triples The new link
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE { GRAPH ?accounts { ?old ?p ?o } }
WHERE { GRAPH ?accounts { ?old a cat:MailToken ; cat:forUser ?user ; cat:purpose ?purpose ; ?p ?o } } ;
INSERT DATA { GRAPH ?accounts {
#+ triples data
} }
