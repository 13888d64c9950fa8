-- vestige schema, version 3: the SQL API carries an ordered version.
--
-- Until now the installed functions were recognised by their hash alone, so two binaries on
-- one database reinstalled their own functions in turn. api_version orders them: a binary
-- installs its API only over an older one (or none) and refuses to replace a newer one. It
-- is written by sql/functions/install.sql itself, so `tern code install` records it as
-- `vestige schema up` does. 0 means "installed before versions existed": older than all.

ALTER TABLE vestige_functions ADD COLUMN api_version integer NOT NULL DEFAULT 0 CHECK (api_version >= 0);

---- create above / drop below ----

ALTER TABLE vestige_functions DROP COLUMN IF EXISTS api_version;
