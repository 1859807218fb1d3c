// Records the git commit for `version { gitCommit }`.
use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
}

fn main() {
    println!("cargo:rerun-if-env-changed=FLEETGRAPH_GIT_COMMIT");
    // Asked of git rather than assumed under `.git/`: in a worktree `.git` is a file and HEAD
    // lives elsewhere. A path that does not exist would make cargo rerun this on every build.
    println!("cargo:rerun-if-changed=build.rs");
    for path in ["HEAD", "refs/heads"] {
        if let Some(p) = git(&["rev-parse", "--git-path", path]).filter(|p| Path::new(p).exists()) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    let commit = std::env::var("FLEETGRAPH_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=FLEETGRAPH_GIT_COMMIT={commit}");
}
