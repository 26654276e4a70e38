#+ title: Set a community's settings
#+ description: Who joins, who posts and when posts are moderated replace the earlier settings; the act is recorded.
#+ param: membership iri The membership graph
#+ param: collection iri The collection
#+ param: data triples The settings and the act
PREFIX cat: <https://catalogue.example.org/def/catalogue#>
DELETE WHERE { GRAPH ?membership { ?collection cat:joinPolicy ?a } } ;
DELETE WHERE { GRAPH ?membership { ?collection cat:whoMayPost ?b } } ;
DELETE WHERE { GRAPH ?membership { ?collection cat:postModeration ?c } } ;
INSERT DATA { GRAPH ?membership {
#+ triples data
} }
