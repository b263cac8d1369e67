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

/// Every account type of the program, printed for `scripts/idl.py` (as Anchor's own
/// `__anchor_private_print_idl_*` tests print the rest): Anchor lists in the IDL only the types
/// an instruction names as a typed field, and records read in place (custodians, for one) are
/// named as unchecked accounts.
#[cfg(all(test, feature = "idl-build"))]
mod idl_accounts {
    use super::*;
    use anchor_lang::idl::serde_json::json;
    use anchor_lang::idl::IdlBuild;
    use anchor_lang::Discriminator;

    fn print<T: IdlBuild + Discriminator>() {
        let ty = T::create_type().expect("an account type has an IDL type");
        let piece = json!({
            "account": { "name": ty.name, "discriminator": T::DISCRIMINATOR },
            "type": ty,
        });
        println!("--- IDL begin account ---\n{piece}\n--- IDL end account ---");
    }

    #[test]
    fn __anchor_private_print_idl_accounts() {
        print::<Pool>();
        print::<Offer>();
        print::<Contributor>();
        print::<Attestor>();
        print::<Custodian>();
    }
}
