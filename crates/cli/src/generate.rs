//! What the command line generates about itself: shell completion scripts (`completions SHELL`,
//! through `clap_complete`) and man pages (`man`, roff through `clap_mangen`), both from the same
//! clap definition as the parser, so they never fall behind a flag.
//!
//! The man pages follow clap_mangen's (and git's) layout: `streaming-events(1)` lists the
//! subcommands, each of which has its own page, `streaming-events-package(1)` and so on.

use clap::CommandFactory;
use clap_complete::Shell;

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut command = crate::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "streaming-events", &mut script);
    if shell == Shell::Bash {
        // clap_complete's bash script spells a hyphenated binary's subcommand states one way in
        // its dispatch loop (`streaming__events__subcmd__package`) and another in the arms that
        // complete them (`streaming__subcmd__events__subcmd__package`), so nothing after a
        // subcommand would complete (clap-rs/clap#6421). The arms are respelled as the loop
        // spells them; the completions test holds bash to it.
        let text = String::from_utf8_lossy(&script).replace(
            "streaming__subcmd__events__subcmd__",
            "streaming__events__subcmd__",
        );
        return text.into_bytes();
    }
    script
}

/// The command as the man pages describe it: built (so subcommands carry their display names,
/// `streaming-events-package`), without clap's `help` subcommand.
fn documented() -> clap::Command {
    let mut command = crate::Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// Every man page, as (file name, roff text): `streaming-events.1` first, then one per
/// subcommand in the order `--help` lists them.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let command = documented();
    std::iter::once(command.clone())
        .chain(
            command
                .get_subcommands()
                .filter(|s| !s.is_hide_set())
                .cloned(),
        )
        .map(|page| {
            let man = clap_mangen::Man::new(page);
            let mut text = Vec::new();
            // Rendering into memory cannot fail.
            let _ = man.render(&mut text);
            (man.get_filename(), text)
        })
        .collect()
}

/// The names `man PAGE` takes: the subcommands that have a page.
pub fn page_names() -> Vec<String> {
    documented()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_string())
        .collect()
}
