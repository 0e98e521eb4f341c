//! `completions SHELL` and `man`: what they generate is held to what `--help` says (every
//! subcommand, every long flag), and the bash script is run in bash to complete for real.

mod common;

use common::{bin, run_in, scratch, stderr};
use std::collections::BTreeSet;
use std::process::Command;

fn stdout_of(args: &[&str]) -> String {
    let out = bin().args(args).output().expect("the binary runs");
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The subcommands `--help` lists (clap's own `help` left out).
fn subcommands() -> Vec<String> {
    let help = stdout_of(&["--help"]);
    let listed = help
        .split("Commands:")
        .nth(1)
        .expect("a Commands section")
        .split("\n\n")
        .next()
        .unwrap();
    let names: Vec<String> = listed
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect();
    assert!(names.len() >= 5, "{names:?}");
    names
}

/// The long flags `SUBCOMMAND --help` lists.
fn long_flags(subcommand: &str) -> BTreeSet<String> {
    let flag = regex::Regex::new(r"(?m)^\s+(?:-\w, )?(--[a-z][a-z-]*)").unwrap();
    flag.captures_iter(&stdout_of(&[subcommand, "--help"]))
        .map(|c| c[1].to_string())
        .collect()
}

#[test]
fn every_shell_gets_a_script_naming_every_subcommand_and_flag() {
    let subcommands = subcommands();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout_of(&["completions", shell]);
        for sub in &subcommands {
            assert!(script.contains(sub.as_str()), "{shell}: {sub}");
            for flag in long_flags(sub) {
                let bare = flag.trim_start_matches('-');
                assert!(script.contains(bare), "{shell}: {sub} {flag}");
            }
        }
    }
    let out = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// What bash offers for `streaming-events WORDS… CURRENT<TAB>`.
fn bash_complete(script: &str, words: &[&str]) -> BTreeSet<String> {
    let dir = scratch("bash");
    let file = dir.join("completion.bash");
    std::fs::write(&file, script).unwrap();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let current = words.last().unwrap();
    let previous = words
        .len()
        .checked_sub(2)
        .map_or("streaming-events", |i| words[i]);
    let program = format!(
        "source '{}'\nCOMP_WORDS=(streaming-events {})\nCOMP_CWORD={}\n\
         _streaming__events streaming-events '{current}' '{previous}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display(),
        quoted.join(" "),
        words.len()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(program)
        .current_dir(&dir)
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_subcommands_their_flags_and_their_values() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("no bash here: the bash completion is not run");
        return;
    }
    let script = stdout_of(&["completions", "bash"]);
    let all: BTreeSet<String> = subcommands().into_iter().collect();
    let offered = bash_complete(&script, &[""]);
    assert!(all.is_subset(&offered), "{offered:?}");
    for sub in &all {
        let offered = bash_complete(&script, &[sub, "--"]);
        let flags = long_flags(sub);
        assert!(
            flags.is_subset(&offered),
            "{sub}: {flags:?} not in {offered:?}"
        );
    }
    // The values `--help` lists for --format.
    let help = stdout_of(&["validate", "--help"]);
    let listed = help
        .split("--format <FORMAT>")
        .nth(1)
        .and_then(|rest| rest.split("[possible values: ").nth(1))
        .and_then(|rest| rest.split(']').next())
        .expect("--format's possible values");
    let values: BTreeSet<String> = listed.split(", ").map(String::from).collect();
    assert!(values.len() >= 4, "{values:?}");
    let formats = bash_complete(&script, &["validate", "--format", ""]);
    assert_eq!(formats, values);
}

#[test]
fn the_man_pages_document_every_subcommand_and_flag() {
    let subcommands = subcommands();
    let main = stdout_of(&["man"]);
    assert!(
        main.starts_with(".ie") || main.contains(".TH streaming-events 1"),
        "{main}"
    );
    for sub in &subcommands {
        assert!(
            main.contains(&format!(
                "streaming\\-events\\-{}(1)",
                sub.replace('-', "\\-")
            )),
            "{sub} not listed"
        );
        let page = stdout_of(&["man", sub]);
        assert!(
            page.contains(&format!(".TH streaming-events-{sub} 1")),
            "{page}"
        );
        for flag in long_flags(sub) {
            let roff = flag.replace('-', "\\-");
            assert!(page.contains(&roff), "{sub}: {flag} not in its page");
        }
    }
    let out = bin().args(["man", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("package"), "{}", stderr(&out));
}

#[test]
fn man_dir_writes_every_page_and_refuses_a_missing_folder() {
    let dir = scratch("man");
    for _ in 0..2 {
        let out = run_in(&dir, &["man", "--dir", "."]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    written.sort();
    let mut expected: Vec<String> = subcommands()
        .iter()
        .map(|s| format!("streaming-events-{s}.1"))
        .chain(["streaming-events.1".to_string()])
        .collect();
    expected.sort();
    assert_eq!(written, expected);
    assert_eq!(
        std::fs::read_to_string(dir.join("streaming-events-package.1")).unwrap(),
        stdout_of(&["man", "package"])
    );
    let out = run_in(&dir, &["man", "--dir", "missing"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("OUTPUT_WRITE_FAILED"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
