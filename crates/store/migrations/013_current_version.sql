-- One home for "which administrative map is current" (issue 8): the hierarchy version whose
-- key `meta.current_hierarchy` names. Every query that follows the current map joins this
-- view instead of spelling the meta key; only a switch (crate::hierarchy::switch) writes it.
CREATE VIEW current_version AS
SELECT h.id AS id,   -- hierarchy_versions.id of the current version
       h.key AS key  -- its key, the first day it is valid (YYYY-MM-DD)
FROM meta m JOIN hierarchy_versions h ON h.key = m.value
WHERE m.key = 'current_hierarchy';
