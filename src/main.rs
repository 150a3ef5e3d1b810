//! The `paperfeed` command line: parses flags, calls the library, prints
//! diagnostics and the summary, and turns the outcome into an exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use paperfeed::{BuildFailure, BuildOptions, BuildReport, Diagnostic};

#[derive(Parser)]
#[command(
    name = "paperfeed",
    version,
    about = "A static site generator for research-paper feeds",
    after_help = "Exit codes: 0 success (warnings allowed), 1 errors in the site (or warnings with --strict), 2 wrong command line."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (default: public/).
    #[command(
        after_help = "Examples:\n  paperfeed build\n  paperfeed build --base-url https://user.github.io/repo/\n  paperfeed build --root my-site --output /tmp/preview --drafts\n  paperfeed build --strict --format json   # for CI"
    )]
    Build(SiteArgs),
    /// Check the site without writing it: everything `build` checks, plus
    /// internal links, link syntax, and lints of the paper records.
    #[command(
        after_help = "Examples:\n  paperfeed check\n  paperfeed check --strict --base-url https://user.github.io/repo/"
    )]
    Check(SiteArgs),
}

#[derive(Args)]
struct SiteArgs {
    /// The site folder, containing site.toml and content/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Where to write the site; overrides the default `public/` in the site folder.
    #[arg(long)]
    output: Option<PathBuf>,
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

impl SiteArgs {
    fn options(&self) -> BuildOptions {
        BuildOptions {
            root: self.root.clone(),
            output: self.output.clone(),
            base_url: self.base_url.clone(),
            drafts: self.drafts,
            strict: self.strict,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => report("build", args.format, paperfeed::build(&args.options())),
        Command::Check(args) => report("check", args.format, paperfeed::check(&args.options())),
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

fn report(command: &str, format: Format, outcome: Result<BuildReport, BuildFailure>) -> ExitCode {
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
    } else {
        for d in diagnostics {
            eprintln!("{d}\n");
        }
        match report {
            Some(r) if command == "build" => eprintln!(
                "paperfeed: {} papers, {} tags, {} files written to {} in {} ms",
                r.papers,
                r.tags,
                r.files,
                r.output.display(),
                r.elapsed.as_millis()
            ),
            Some(r) => eprintln!(
                "paperfeed: checked {} papers and {} files in {} ms: no errors, {} warning{}",
                r.papers,
                r.files,
                r.elapsed.as_millis(),
                diagnostics.len(),
                plural(diagnostics.len())
            ),
            None => {
                let files: std::collections::BTreeSet<_> = diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| &d.path)
                    .collect();
                let kept = if command == "build" {
                    "; the previous output was left untouched"
                } else {
                    ""
                };
                eprintln!(
                    "paperfeed: {command} failed with {errors} error{} in {} file{}{kept}",
                    plural(errors),
                    files.len(),
                    plural(files.len()),
                );
            }
        }
    }
    if report.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
