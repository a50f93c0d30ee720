//! Deterministic demo data (written next).
