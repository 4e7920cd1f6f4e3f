-- Integrity that must hold with the app and the CLI writing at the same moment.
--
-- Company names are unique by their match key (trimmed, NFC, lower-cased). Before this
-- migration two processes could each create "Acme" at the same instant; any such twins are
-- kept (they may carry mappings and assets) and renamed apart with their id, so the rule can
-- be enforced from now on.
UPDATE companies
   SET name = name || ' (' || id || ')',
       name_key = name_key || ' (' || id || ')'
 WHERE id NOT IN (SELECT min(id) FROM companies GROUP BY name_key);
DROP INDEX companies_by_name_key;
CREATE UNIQUE INDEX companies_by_name_key ON companies (name_key);

-- An organization's match key, so that its suggested company is found by a join. Filled in
-- by the engine right after migrating (the key needs Unicode normalisation, which SQL lacks).
ALTER TABLE organizations ADD COLUMN name_key TEXT;
CREATE INDEX organizations_by_name_key ON organizations (name_key);
