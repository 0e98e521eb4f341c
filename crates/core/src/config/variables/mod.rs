//! Variables: `${source:address}` resolved offline, as the reference resolves them, with every
//! produced value remembering where the variable was written (`via`) and where its value came
//! from (`span`).
//!
//! Owns: the syntax ([`parse`]), the resolution to a fixpoint with cycle and size limits
//! ([`resolve`]), and the sources ([`sources`]). Must not touch the process environment or the
//! file system directly: everything goes through [`crate::env::Environment`].

//! Files import downwards only: `resolve` → `sources` → `context`, and `parse` on its own; the
//! sources reach the resolver through the [`sources::Host`] trait.

pub mod context;
pub mod parse;
pub mod resolve;
pub mod sources;

pub use context::VariableContext;
pub use resolve::resolve_variables;

#[cfg(test)]
mod tests;
