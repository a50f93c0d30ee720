-- Restores (issue 7): devices re-adopted with refresh tokens issued after the backup.

-- The generation (meta.generation) in which this device last re-adopted a refresh token
-- whose row a restore had lost; NULL if never. A device adopts at most once per generation:
-- a second foreign token for it is treated as reuse.
ALTER TABLE devices ADD COLUMN adopted_generation TEXT;
