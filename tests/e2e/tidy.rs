//! Project policies as tests (filled in below).
