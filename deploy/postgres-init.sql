-- One database per service (ADR 0003: each service owns its data). Run once by the postgres image
-- on an empty data directory (docker-compose.yml mounts it in /docker-entrypoint-initdb.d), as the
-- `recs` user, which therefore owns them. Each service runs its own migrations on start; the
-- ledger's and reporting's create the btree_gist extension they need (trusted since PostgreSQL 13).
CREATE DATABASE registry OWNER recs;
CREATE DATABASE issuance OWNER recs;
CREATE DATABASE transfer OWNER recs;
CREATE DATABASE reporting OWNER recs;
