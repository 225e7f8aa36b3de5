//! The aa-lint language server (being written).
