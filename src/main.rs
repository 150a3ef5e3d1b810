//! The `paperfeed` command line: parses flags, calls the library, prints
//! diagnostics and summaries, and turns the outcome into an exit code.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anstream::eprintln;

/// glibc's allocator, after a build frees millions of small strings, spends
/// tens of milliseconds consolidating them on the next large allocation
/// (`serve`'s first rebuild) and holds on to fragmented memory; mimalloc
/// does neither. Its `no_thp` feature keeps it from asking for huge pages:
/// where the kernel compacts memory to grant them (THP `defrag=madvise`,
/// the usual default), those faults made a one-paper rebuild at 100k
/// papers spend 2-8 s in the kernel instead of 0.7 s.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use paperfeed::import::{self, ImportReport};
use paperfeed::scaffold::{self, NewPaper};
use paperfeed::{BuildFailure, BuildOptions, BuildReport, Diagnostic};

const EXIT_CODES: &str = "Exit codes: 0 success (warnings allowed), 1 errors in the site or the input (or warnings with --strict), 2 wrong command line.";

#[derive(Parser)]
#[command(name = "paperfeed", version, about = "A static site generator for research-paper feeds", after_help = EXIT_CODES)]
struct Cli {
    /// Print errors only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more: stage timings, every file created.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (default: public/).
    #[command(
        after_help = "Examples:\n  paperfeed build\n  paperfeed build --base-url https://user.github.io/repo/\n  paperfeed build --root my-site --output /tmp/preview --drafts\n  paperfeed build --strict --format json   # for CI"
    )]
    Build(BuildArgs),
    /// Check the site without writing it: everything `build` checks, plus
    /// internal links, link syntax, and lints of the paper records.
    #[command(
        after_help = "Examples:\n  paperfeed check\n  paperfeed check --strict --base-url https://user.github.io/repo/"
    )]
    Check(SiteArgs),
    /// Serve the site locally, rebuilding and reloading the browser on every change.
    #[command(
        after_help = "Examples:\n  paperfeed serve\n  paperfeed serve --port 8080 --open\n  paperfeed serve --bind 0.0.0.0 --drafts   # reachable from other machines\n\nThe site is built in memory (public/ is not touched) and served under the path of\nbase_url, so a site for https://user.github.io/repo/ is at http://127.0.0.1:1111/repo/."
    )]
    Serve {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Port to listen on; the next free one is used when it is taken.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Include papers marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Create a new site: site.toml, an example paper, .gitignore and a GitHub Pages workflow.
    #[command(
        after_help = "Examples:\n  paperfeed init my-papers\n  paperfeed init . --force   # add the missing files to a folder that has some"
    )]
    Init {
        /// Folder to create the site in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Write into a non-empty folder (existing files are still never overwritten).
        #[arg(long)]
        force: bool,
        /// Also fetch papers daily: a [[sources]] table in site.toml, and a workflow that runs `paperfeed sync` on a schedule and commits what changed.
        #[arg(long)]
        sync: bool,
    },
    /// Write content/papers/<slug>.md for a new paper and print its path.
    #[command(
        after_help = "Examples:\n  paperfeed new \"Attention Is All You Need\" --arxiv 1706.03762 --tags transformers,attention\n  paperfeed new \"My Notes\" --authors \"Ada Lovelace, Alan Turing\" --date 2024-02-19"
    )]
    New {
        /// The paper's title.
        title: String,
        /// arXiv identifier, e.g. 2402.12527.
        #[arg(long)]
        arxiv: Option<String>,
        /// Comma-separated tags.
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
        /// Comma-separated author names.
        #[arg(long, value_delimiter = ',')]
        authors: Vec<String>,
        /// Publication date, YYYY-MM-DD (default: today).
        #[arg(long)]
        date: Option<String>,
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Convert papers from other formats into content files, skipping ones the site already has.
    #[command(
        after_help = "Examples:\n  paperfeed import bibtex references.bib\n  paperfeed import arxiv query-results.xml\n  paperfeed import csl-json zotero-export.json\n  paperfeed import hf daily_papers.json\n\nPapers are matched against the site by arXiv id, then DOI, then title; nothing is ever overwritten."
    )]
    Import {
        /// The format of the files.
        #[arg(value_enum)]
        format: import::Format,
        /// Files to import (`-` reads standard input).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// hf: make Hugging Face's `ai_keywords` the papers' tags.
        #[arg(long)]
        keywords: bool,
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Fetch papers from the sources in site.toml ([[sources]]: arXiv, Hugging Face) into content/papers/.
    #[command(
        after_help = "Examples:\n  paperfeed sync\n  paperfeed sync --root my-site\n\nNew papers become files; papers the site has get only their source-owned fields refreshed\n(upvotes, doi, venue, code). Every source is fetched before anything is written.\nPAPERFEED_ARXIV_API and PAPERFEED_HF_API override the endpoints."
    )]
    Sync {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Work with themes.
    #[command(subcommand)]
    Theme(ThemeCommand),
    /// Print shell completions.
    #[command(
        after_help = "Examples:\n  paperfeed completions bash > ~/.local/share/bash-completion/completions/paperfeed\n  paperfeed completions zsh > ~/.zfunc/_paperfeed\n  paperfeed completions fish > ~/.config/fish/completions/paperfeed.fish"
    )]
    Completions { shell: clap_complete::Shell },
}

#[derive(Subcommand)]
enum ThemeCommand {
    /// Copy the built-in default theme to themes/default/ for editing.
    #[command(
        after_help = "Examples:\n  paperfeed theme eject\n  paperfeed theme eject --root my-site"
    )]
    Eject {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Args)]
struct SiteArgs {
    /// The site folder, containing site.toml and content/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Overrides `base_url` from site.toml for this run.
    #[arg(long)]
    base_url: Option<String>,
    /// Include papers marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Treat warnings as errors (for CI).
    #[arg(long)]
    strict: bool,
    /// How to report problems: `human` on stderr, or `json` on stdout for editors and CI.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

/// How much to say.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// `build`'s flags: the site's, and where to write it (`check` writes
/// nothing, so it has no `--output` to ignore).
#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Where to write the site; overrides the default `public/` in the site folder.
    #[arg(long)]
    output: Option<PathBuf>,
}

impl SiteArgs {
    fn options(&self) -> BuildOptions {
        BuildOptions {
            root: self.root.clone(),
            output: None,
            base_url: self.base_url.clone(),
            drafts: self.drafts,
            strict: self.strict,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    match cli.command {
        Command::Build(args) => {
            let spinner = spinner("building");
            let options = BuildOptions {
                output: args.output.clone(),
                ..args.site.options()
            };
            let outcome = paperfeed::build(&options);
            spinner.finish_and_clear();
            report("build", args.site.format, verbosity, outcome)
        }
        Command::Check(args) => {
            let spinner = spinner("checking");
            let outcome = paperfeed::check(&args.options());
            spinner.finish_and_clear();
            report("check", args.format, verbosity, outcome)
        }
        Command::Serve {
            root,
            port,
            bind,
            drafts,
            open,
        } => serve(
            paperfeed::serve::ServeOptions {
                root,
                bind,
                port,
                drafts,
            },
            open,
            verbosity,
        ),
        Command::Init { dir, force, sync } => init(&dir, force, sync, verbosity),
        Command::New {
            title,
            arxiv,
            tags,
            authors,
            date,
            root,
        } => new(&root, title, arxiv, tags, authors, date),
        Command::Import {
            format,
            files,
            root,
            keywords,
        } => import_files(
            &root,
            format,
            &files,
            import::Options { keywords },
            verbosity,
        ),
        Command::Sync { root } => sync(&root, verbosity),
        Command::Theme(ThemeCommand::Eject { root }) => eject(&root, verbosity),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "paperfeed",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
    }
}

/// A spinner on stderr, only when stderr is a terminal (never in CI logs).
fn spinner(message: &'static str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner().with_message(message);
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// A progress bar on stderr, only when stderr is a terminal.
fn progress_bar(len: u64, message: &'static str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    indicatif::ProgressBar::new(len).with_message(message)
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!(
        "{}error:{} {message}",
        STYLE_ERROR.render(),
        STYLE_ERROR.render_reset()
    );
    ExitCode::FAILURE
}

const STYLE_ERROR: anstyle::Style = anstyle::AnsiColor::Red.on_default().bold();
const STYLE_WARNING: anstyle::Style = anstyle::AnsiColor::Yellow.on_default().bold();
const STYLE_OK: anstyle::Style = anstyle::AnsiColor::Green.on_default().bold();

/// A diagnostic with its label coloured (anstream drops the colour when
/// stderr is not a terminal or NO_COLOR is set).
fn print_diagnostic(d: &Diagnostic) {
    let text = d.to_string();
    let (style, label) = if d.is_error() {
        (STYLE_ERROR, "error:")
    } else {
        (STYLE_WARNING, "warning:")
    };
    let rest = text.strip_prefix(label).unwrap_or(&text);
    eprintln!("{}{label}{}{rest}\n", style.render(), style.render_reset());
}

fn serve(options: paperfeed::serve::ServeOptions, open: bool, verbosity: Verbosity) -> ExitCode {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&stop);
    if let Err(e) =
        ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::SeqCst))
    {
        return fail(format!("cannot catch Ctrl-C: {e}"));
    }
    let log = |line: String| {
        if verbosity != Verbosity::Quiet {
            eprintln!("paperfeed: {line}");
        }
    };
    let ready = |url: &str| {
        eprintln!(
            "{}paperfeed:{} serving {url} (Ctrl-C to stop)",
            STYLE_OK.render(),
            STYLE_OK.render_reset()
        );
        if open && let Err(e) = opener::open(url) {
            eprintln!("paperfeed: cannot open a browser: {e}");
        }
    };
    match paperfeed::serve::serve(&options, stop, &log, &ready) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn init(dir: &std::path::Path, force: bool, sync: bool, verbosity: Verbosity) -> ExitCode {
    match scaffold::init(dir, force, sync) {
        Ok(report) => {
            if verbosity == Verbosity::Verbose {
                for path in &report.created {
                    eprintln!("created {}", path.display());
                }
            }
            if verbosity != Verbosity::Quiet {
                for path in &report.kept {
                    eprintln!("kept existing {}", path.display());
                }
                eprintln!(
                    "{}paperfeed:{} new site in {} ({} files). Next: cd {} && paperfeed build",
                    STYLE_OK.render(),
                    STYLE_OK.render_reset(),
                    dir.display(),
                    report.created.len(),
                    dir.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn new(
    root: &std::path::Path,
    title: String,
    arxiv: Option<String>,
    tags: Vec<String>,
    authors: Vec<String>,
    date: Option<String>,
) -> ExitCode {
    let date = match date {
        Some(d) => match d.parse::<jiff::civil::Date>() {
            Ok(d) => d,
            Err(e) => return fail(format!("--date `{d}` is not a date as YYYY-MM-DD ({e})")),
        },
        None => jiff::Zoned::now().date(),
    };
    let trimmed = |list: Vec<String>| -> Vec<String> {
        list.into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let paper = NewPaper {
        title,
        date: Some(date),
        authors: trimmed(authors),
        tags: trimmed(tags),
        arxiv,
        abstract_text: "Abstract or notes in Markdown.".into(),
        ..NewPaper::default()
    };
    match scaffold::new_paper(root, &paper) {
        Ok(path) => {
            #[allow(clippy::print_stdout)]
            {
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn import_files(
    root: &std::path::Path,
    format: import::Format,
    files: &[PathBuf],
    options: import::Options,
    verbosity: Verbosity,
) -> ExitCode {
    let mut records = Vec::new();
    let progress = progress_bar(files.len() as u64, "reading");
    for file in files {
        progress.inc(1);
        // `-` is standard input, so an API answer can be piped in.
        let read = if file.as_os_str() == "-" {
            std::io::read_to_string(std::io::stdin())
        } else {
            std::fs::read_to_string(file)
        };
        let text = match read {
            Ok(text) => text,
            Err(e) => return fail(format!("cannot read {}: {e}", file.display())),
        };
        match import::parse(format, &text, options) {
            Ok(parsed) => records.extend(parsed),
            Err(e) => return fail(format!("{}: {e}", file.display())),
        }
    }
    progress.finish_and_clear();
    let report: ImportReport = match import::import(root, records) {
        Ok(report) => report,
        Err(e) => return fail(e),
    };
    if verbosity != Verbosity::Quiet {
        if verbosity == Verbosity::Verbose {
            for path in &report.created {
                eprintln!("created {}", path.display());
            }
        }
        for (path, fields) in &report.updated {
            eprintln!("updated {} ({})", path.display(), fields.join(", "));
        }
        for s in &report.skipped {
            eprintln!("skipped \"{}\": {}", s.what, s.reason);
        }
        warn_each("invalid", &report.invalid);
        eprintln!(
            "paperfeed: imported {} created, {} updated, {} skipped, {} invalid",
            report.created.len(),
            report.updated.len(),
            report.skipped.len(),
            report.invalid.len()
        );
    }
    ExitCode::SUCCESS
}

/// One warning line per record that `import` or `sync` could not use.
fn warn_each(label: &str, records: &[import::Rejected]) {
    for r in records {
        eprintln!(
            "{}{label}{} \"{}\": {}",
            STYLE_WARNING.render(),
            STYLE_WARNING.render_reset(),
            r.what,
            r.reason
        );
    }
}

fn sync(root: &std::path::Path, verbosity: Verbosity) -> ExitCode {
    let config = match paperfeed::Config::load(root) {
        Ok(config) => config,
        Err(d) => {
            print_diagnostic(&d);
            return ExitCode::FAILURE;
        }
    };
    let endpoints = paperfeed::sync::Endpoints::from_env();
    let client = paperfeed::sync::http::Client::new();
    let report = match paperfeed::sync::sync(root, &config.sources, &endpoints, &client) {
        Ok(report) => report,
        Err(e) => {
            fail(&e);
            eprintln!("  help: {}", e.help());
            return ExitCode::FAILURE;
        }
    };
    if verbosity != Verbosity::Quiet {
        for path in &report.created {
            if verbosity == Verbosity::Verbose {
                eprintln!("created {}", path.display());
            }
        }
        for (path, fields) in &report.updated {
            if verbosity == Verbosity::Verbose {
                eprintln!("updated {} ({})", path.display(), fields.join(", "));
            }
        }
        warn_each("failed", &report.failed);
        eprintln!(
            "paperfeed: synced {} created, {} updated, {} unchanged, {} failed",
            report.created.len(),
            report.updated.len(),
            report.unchanged,
            report.failed.len()
        );
    }
    ExitCode::SUCCESS
}

fn eject(root: &std::path::Path, verbosity: Verbosity) -> ExitCode {
    match scaffold::eject_theme(root) {
        Ok(created) => {
            if verbosity != Verbosity::Quiet {
                eprintln!(
                    "paperfeed: wrote the default theme to {} ({} files); it now overrides the built-in one",
                    root.join("themes/default").display(),
                    created.len()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// The `--format json` document.
#[derive(Serialize)]
struct JsonReport<'a> {
    command: &'a str,
    ok: bool,
    errors: usize,
    warnings: usize,
    papers: Option<usize>,
    files: Option<usize>,
    elapsed_ms: Option<u128>,
    diagnostics: &'a [Diagnostic],
}

fn report(
    command: &str,
    format: Format,
    verbosity: Verbosity,
    outcome: Result<BuildReport, BuildFailure>,
) -> ExitCode {
    let (diagnostics, report) = match &outcome {
        Ok(report) => (&report.warnings[..], Some(report)),
        Err(failure) => (&failure.diagnostics[..], None),
    };
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if format == Format::Json {
        let json = JsonReport {
            command,
            ok: report.is_some(),
            errors,
            warnings: diagnostics.len() - errors,
            papers: report.map(|r| r.papers),
            files: report.map(|r| r.files),
            elapsed_ms: report.map(|r| r.elapsed.as_millis()),
            diagnostics,
        };
        #[allow(clippy::print_stdout)]
        {
            println!(
                "{}",
                serde_json::to_string_pretty(&json).expect("reports always serialize")
            );
        }
        return if report.is_some() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    for d in diagnostics
        .iter()
        .filter(|d| d.is_error() || verbosity != Verbosity::Quiet)
    {
        print_diagnostic(d);
    }
    match report {
        Some(r) => {
            if verbosity == Verbosity::Verbose {
                for (stage, time) in &r.stages {
                    eprintln!("  {stage:<8} {:>6} ms", time.as_millis());
                }
                if let Some((parsed, of)) = r.parsed {
                    eprintln!(
                        "  parsed {parsed} of {of} paper files (the rest from the parse cache)"
                    );
                }
            }
            if verbosity != Verbosity::Quiet {
                for note in &r.notes {
                    eprintln!("note: {note}");
                }
                print_summary(command, r, diagnostics.len());
            }
            ExitCode::SUCCESS
        }
        None => {
            let files: std::collections::BTreeSet<_> = diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| &d.path)
                .collect();
            let untouched = outcome.as_ref().err().is_some_and(|f| f.output_untouched);
            let kept = if command == "build" && untouched {
                "; the previous output was left untouched"
            } else {
                ""
            };
            eprintln!(
                "{}paperfeed:{} {command} failed with {errors} error{} in {} file{}{kept}",
                STYLE_ERROR.render(),
                STYLE_ERROR.render_reset(),
                plural(errors),
                files.len(),
                plural(files.len()),
            );
            ExitCode::FAILURE
        }
    }
}

fn print_summary(command: &str, r: &BuildReport, warnings: usize) {
    if command == "build" {
        let w = &r.written;
        let removed = if w.removed > 0 {
            format!(", {} removed", w.removed)
        } else {
            String::new()
        };
        eprintln!(
            "paperfeed: {} papers, {} tags, {} files in {} ({} written, {} unchanged{removed}) in {} ms",
            r.papers,
            r.tags,
            r.files,
            r.output.display(),
            w.written,
            r.files - w.written,
            r.elapsed.as_millis()
        );
    } else {
        eprintln!(
            "paperfeed: checked {} papers and {} files in {} ms: no errors, {warnings} warning{}",
            r.papers,
            r.files,
            r.elapsed.as_millis(),
            plural(warnings)
        );
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
