-- The service's own role: owns its database, but is neither superuser nor BYPASSRLS, so
-- row-level security applies to it (the service refuses to start otherwise).
create role echo_app login password 'echo_app' nosuperuser nobypassrls nocreaterole nocreatedb;
create database echo owner echo_app encoding 'UTF8' template template0;
-- Lets the inbox search (ilike) use its trigram index under row-level security (see
-- src/shared/database/bootstrap-database.ts): it leaks nothing about rows.
\connect echo
alter function pg_catalog.texticlike(text, text) leakproof;
