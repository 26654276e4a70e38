-- The account the catalogue works as, and who may read what (isql-vt PORT dba PASSWORD < grants.sql).
-- Replace CHANGE-ME with the password you give CATALOGUE_SPARQL_PASSWORD.
DB.DBA.USER_CREATE ('catalogue', 'CHANGE-ME');
-- SPARQL updates and the Graph Store endpoint (/sparql-auth, /sparql-graph-crud-auth), with digest authentication
GRANT SPARQL_UPDATE TO "catalogue";
-- the catalogue reads and writes every graph
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('catalogue', 15);
-- Virtuoso's own anonymous /sparql shows no graph at all: the public reads the catalogue's
-- /sparql, which answers from the public graphs alone
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0);
