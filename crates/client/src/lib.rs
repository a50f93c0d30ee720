//! The field device sync engine (issue 4; being written).
