#!/bin/sh
# Run once by the postgres image, on a new volume. The service's own role owns its database but is
# neither superuser nor BYPASSRLS, so row-level security applies to it (the service refuses to start
# otherwise). Its password comes from ECHO_DB_PASSWORD: there is no default.
set -eu
: "${ECHO_DB_PASSWORD:?set ECHO_DB_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v app_password="$ECHO_DB_PASSWORD" <<'SQL'
create role echo_app login password :'app_password' nosuperuser nobypassrls nocreaterole nocreatedb;
create database echo owner echo_app encoding 'UTF8' template template0;
-- Lets the inbox search (ilike) use its trigram index under row-level security (see
-- src/shared/database/bootstrap-database.ts): it leaks nothing about rows.
\connect echo
alter function pg_catalog.texticlike(text, text) leakproof;
SQL
