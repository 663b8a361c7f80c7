-- The service's own role: owns its database, but is neither superuser nor BYPASSRLS, so
-- row-level security applies to it (the service refuses to start otherwise).
create role echo_app login password 'echo_app' nosuperuser nobypassrls nocreaterole nocreatedb;
create database echo owner echo_app encoding 'UTF8' template template0;
