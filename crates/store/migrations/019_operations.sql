-- Issue 9, operations: secrets sealed at rest (crate::sealed).
--
-- signing_keys.secret and meta.token_secret are encrypted with the operator's master key;
-- SQL cannot do that, so the store seals them in Rust when it first opens the database
-- with a key, and records in meta 'master_key_id' which key it was. Here: which key each
-- signing key is sealed with (NULL: still plaintext, as every key was before this
-- migration).
ALTER TABLE signing_keys ADD COLUMN sealed_with TEXT;
