//! Account layouts. Every account starts with a layout `version` byte and stores its bump.

pub mod attestor;
pub mod contributor;
pub mod custodian;
pub mod offer;
pub mod pool;
pub mod view;

pub use attestor::*;
pub use contributor::*;
pub use custodian::*;
pub use offer::*;
pub use pool::*;
