//! The working directory's git commit for a run's record, read from `.git` itself when it is
//! plainly laid out (a branch's loose or packed ref, or a detached HEAD) — spawning
//! `git rev-parse` cost a run ~3 ms — and from `git rev-parse` otherwise; outside any repository
//! git is not asked at all.

use std::path::{Path, PathBuf};

/// The commit (12 hex digits) checked out at `dir` or the repository above it.
pub(crate) fn of(dir: &Path) -> Option<String> {
    read(dir).or_else(|| in_a_repository(dir).then(|| spawned(dir)).flatten())
}

/// Whether git could find a repository for `dir`: a `.git` folder or worktree file at or above
/// it, or one named by `GIT_DIR`.
fn in_a_repository(dir: &Path) -> bool {
    std::env::var_os("GIT_DIR").is_some() || dir.ancestors().any(|d| d.join(".git").exists())
}

/// From the files: `None` wherever git itself should be asked (worktrees, odd layouts).
fn read(dir: &Path) -> Option<String> {
    let git = git_dir(dir)?;
    let head = std::fs::read_to_string(git.join("HEAD")).ok()?;
    let head = head.trim();
    let commit = match head.strip_prefix("ref: ") {
        Some(name) => loose(&git, name).or_else(|| packed(&git, name))?,
        None => head.to_string(),
    };
    short(&commit)
}

/// The nearest `.git` folder at or above `dir` (a `.git` file, a worktree's, is left to git).
fn git_dir(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(".git"))
        .find(|g| g.exists())
        .filter(|g| g.is_dir())
}

fn loose(git: &Path, name: &str) -> Option<String> {
    if name.contains("..") {
        return None;
    }
    let text = std::fs::read_to_string(git.join(name)).ok()?;
    Some(text.trim().to_string())
}

/// `<commit> <name>` lines of `packed-refs`.
fn packed(git: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(git.join("packed-refs")).ok()?;
    text.lines()
        .filter_map(|line| line.split_once(' '))
        .find(|(_, n)| *n == name)
        .map(|(commit, _)| commit.to_string())
}

/// The first 12 digits of a full commit id; anything else is not one.
fn short(commit: &str) -> Option<String> {
    let full = commit.len() >= 40 && commit.bytes().all(|b| b.is_ascii_hexdigit());
    full.then(|| commit[..12].to_ascii_lowercase())
}

fn spawned(dir: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(dir)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "9200e622488a5f0c8f2b1d6e7a3c4b5d6e7f8a9b";
    const B: &str = "01cebbe0aa11bb22cc33dd44ee55ff6677889900";

    fn repo(head: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git/refs/heads")).unwrap();
        std::fs::write(dir.path().join(".git/HEAD"), head).unwrap();
        dir
    }

    #[test]
    fn a_branch_s_loose_or_packed_ref_or_a_detached_head_is_read() {
        let dir = repo("ref: refs/heads/main\n");
        std::fs::write(dir.path().join(".git/refs/heads/main"), format!("{A}\n")).unwrap();
        let below = dir.path().join("sub/dir");
        std::fs::create_dir_all(&below).unwrap();
        assert_eq!(read(&below).as_deref(), Some("9200e622488a"));
        std::fs::remove_file(dir.path().join(".git/refs/heads/main")).unwrap();
        let packed = format!("# pack-refs with: peeled\n{B} refs/heads/main\n");
        std::fs::write(dir.path().join(".git/packed-refs"), packed).unwrap();
        assert_eq!(read(dir.path()).as_deref(), Some("01cebbe0aa11"));
        let detached = repo(&format!("{A}\n"));
        assert_eq!(read(detached.path()).as_deref(), Some("9200e622488a"));
    }

    #[test]
    fn what_the_files_do_not_say_plainly_is_left_to_git() {
        let dir = repo("ref: refs/heads/nowhere\n");
        assert_eq!(read(dir.path()), None);
        let worktree = tempfile::tempdir().unwrap();
        std::fs::write(worktree.path().join(".git"), "gitdir: /elsewhere\n").unwrap();
        assert_eq!(read(worktree.path()), None);
        assert_eq!(short("not-a-commit"), None);
        // ... but only where git could find a repository: a worktree's file counts.
        assert!(in_a_repository(dir.path()) && in_a_repository(worktree.path()));
        let bare = tempfile::tempdir().unwrap();
        let no_git_dir = std::env::var_os("GIT_DIR").is_none();
        assert!(!no_git_dir || !in_a_repository(bare.path()));
        assert!(!no_git_dir || of(bare.path()).is_none());
    }

    #[test]
    fn this_checkout_reads_as_git_says() {
        let here = std::env::current_dir().unwrap();
        if let (Some(read), Some(git)) = (read(&here), spawned(&here)) {
            assert_eq!(read, git);
        }
    }
}
