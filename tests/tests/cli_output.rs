//! Output a person can trust: strings from the chain or a file (pool names, terms URIs, terms)
//! cannot drive the terminal. Text output escapes them in one place; JSON stays exact.

use data_pool_cli::output::{render, terminal_safe};
use data_pool_cli::OutputFormat;
use data_pool_tests::cli::{s, CliEnv};
use solana_signer::Signer;

/// Recolours text, retitles the window (OSC 0 ended by BEL), and erases the line.
const HOSTILE_NAME: &str = "\u{1b}[31mRED\u{1b}[0m\u{1b}]0;pwned\u{7}\r\u{1b}[2K";
/// A right-to-left override (reorders what follows) and a C1 control sequence introducer.
const HOSTILE_URI: &str = "https://x.example/\u{202e}fdp.exe\u{9b}31m";

/// Characters that must never reach a terminal from chain data.
fn drives_the_terminal(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)
    })
}

#[test]
fn hostile_names_uris_and_terms_are_escaped_in_text_and_exact_in_json() {
    let env = CliEnv::new();
    let made = env.cli_pool("", HOSTILE_NAME, &[]);
    let (member, member_path) = env.keypair("member", 2);
    let att = env.path("member.att.json");
    let data = "ab".repeat(32);
    env.attest(
        &made.pool,
        &member.pubkey(),
        &data,
        10,
        &made.attestor,
        &att,
        &[],
    );
    env.ok(&[
        "-k",
        &member_path,
        "contribute",
        &made.pool,
        "--attestation",
        &att,
    ]);
    let (buyer_kp, buyer) = env.keypair("buyer", 10);
    env.token_account(&made.mint, &buyer_kp.pubkey(), 1_000_000_000);
    let terms = env.write("terms.txt", "sell \u{1b}[8mhidden\u{1b}[0m".as_bytes());
    let offer = env.ok(&[
        "-k",
        &buyer,
        "-y",
        "offer",
        "create",
        &made.pool,
        "--price",
        "5",
        "--terms",
        &terms,
        "--terms-uri",
        HOSTILE_URI,
    ]);
    let offer = s(&offer, "offer").to_string();
    let commands: [&[&str]; 5] = [
        &["pool", "list"],
        &["pool", "show", &made.pool],
        &["offer", "show", &offer],
        &["offer", "list", &made.pool],
        &["audit", &made.pool],
    ];
    for args in commands {
        let printed = env
            .report(args)
            .unwrap_or_else(|e| panic!("{args:?}: {e:?}"));
        let text = render(OutputFormat::Text, &printed);
        assert!(!drives_the_terminal(&text), "{args:?} printed {text:?}");
        let json = render(OutputFormat::Json, &printed);
        assert!(!json.contains('\u{1b}'), "serde escapes C0 in JSON: {json}");
        if args[0] == "pool" {
            assert!(text.contains("\\u{1b}[31mRED"), "{args:?}: {text}");
            // JSON keeps the name exactly.
            let names: Vec<String> = match &printed.json {
                serde_json::Value::Array(list) => {
                    list.iter().map(|p| s(p, "name").to_string()).collect()
                }
                v => vec![s(v, "name").to_string()],
            };
            assert!(names.iter().any(|n| n == HOSTILE_NAME), "{names:?}");
        }
        if args[0] == "offer" && args[1] == "show" {
            assert!(text.contains("\\u{202e}"), "{text}");
            assert_eq!(s(&printed.json, "termsUri"), HOSTILE_URI);
        }
    }
    // Amounts read by people carry UI units and the mint's label, in events and the audit too;
    // JSON keeps base units.
    let label = data_pool_client::units::mint_label(&made.mint);
    let text_of = |args: &[&str]| {
        render(
            OutputFormat::Text,
            &env.report(args)
                .unwrap_or_else(|e| panic!("{args:?}: {e:?}")),
        )
    };
    let events = text_of(&["events", &made.pool]);
    assert!(events.contains(&format!("price=5 {label}")), "{events}");
    let audit = text_of(&["audit", &made.pool]);
    assert!(audit.contains(&format!("5 {label}")), "{audit}");
    let shown = text_of(&["offer", "show", &offer]);
    assert!(shown.contains(&format!("5 {label}")), "{shown}");
    let pool = text_of(&["pool", "show", &made.pool]);
    assert!(
        pool.contains(&format!("1 {label}")),
        "the minimum price: {pool}"
    );
    let json = env.ok(&["events", &made.pool]);
    let created = json
        .as_array()
        .and_then(|l| l.iter().find(|e| e["name"] == "OfferCreated"))
        .expect("OfferCreated");
    assert_eq!(created["data"]["price"], 5_000_000);
    // Errors quote what they were given: escaped too.
    let e = env.fails(&["pool", "show", HOSTILE_NAME], 2);
    let text = data_pool_cli::output::error_text(&e);
    assert!(!drives_the_terminal(&text), "{text:?}");
}

#[test]
fn plain_text_passes_unchanged() {
    let plain = "Pool Unwrapped\n  price  55,000 USDC\tok — ünïcödé 🎵";
    assert!(matches!(
        terminal_safe(plain),
        std::borrow::Cow::Borrowed(_)
    ));
    assert_eq!(terminal_safe("a\u{7}b\u{85}c"), "a\\u{7}b\\u{85}c");
}
