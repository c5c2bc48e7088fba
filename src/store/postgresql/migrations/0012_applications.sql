-- SAML 2.0 applications (issue 15): each application as a JSON document (its SAML settings and
-- attribute mappings included; store/sqlite/application_repo.cpp), its IdP signing certificates
-- (private keys sealed with the master key; at most one active), and its user and group
-- assignments. Certificates and assignments go with their application; assignments of a
-- deleted user or group go with it (every door deletes through the users and groups tables).
CREATE TABLE applications (
  id           TEXT PRIMARY KEY,
  provider_arn TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  version      BIGINT NOT NULL,
  doc          TEXT NOT NULL
);
CREATE INDEX applications_provider ON applications(provider_arn, id);

CREATE TABLE application_certificates (
  id              TEXT PRIMARY KEY,
  application_id  TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  certificate_pem TEXT NOT NULL,
  sealed_key      TEXT NOT NULL,
  fingerprint     TEXT NOT NULL,
  key_bits        BIGINT NOT NULL,
  not_before      BIGINT NOT NULL,
  not_after       BIGINT NOT NULL,
  created_at      BIGINT NOT NULL,
  active          BIGINT NOT NULL
);
CREATE INDEX application_certificates_app ON application_certificates(application_id, created_at);
CREATE UNIQUE INDEX application_certificates_one_active ON application_certificates(application_id) WHERE active = 1;

CREATE TABLE application_assignments (
  application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  principal_id   TEXT NOT NULL,
  principal_type TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  PRIMARY KEY (application_id, principal_id)
);
CREATE INDEX application_assignments_principal ON application_assignments(principal_id, application_id);

CREATE FUNCTION atrium_application_assignments_principal_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM application_assignments WHERE principal_id = OLD.id;
  RETURN NULL;
END $$;
CREATE TRIGGER application_assignments_user_deleted AFTER DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION atrium_application_assignments_principal_deleted();
CREATE TRIGGER application_assignments_group_deleted AFTER DELETE ON groups
  FOR EACH ROW EXECUTE FUNCTION atrium_application_assignments_principal_deleted();
