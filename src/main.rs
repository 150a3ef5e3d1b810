//! The `paperfeed` command line: parses flags, calls the library, prints
//! diagnostics and the summary, and turns the outcome into an exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use paperfeed::{BuildOptions, Diagnostic};

#[derive(Parser)]
#[command(
    name = "paperfeed",
    version,
    about = "A static site generator for research-paper feeds"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (default: public/).
    #[command(
        after_help = "Examples:\n  paperfeed build\n  paperfeed build --base-url https://user.github.io/repo/\n  paperfeed build --root my-site --output /tmp/preview --drafts"
    )]
    Build {
        /// The site folder, containing site.toml and content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site; overrides the default `public/` in the site folder.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Overrides `base_url` from site.toml for this build.
        #[arg(long)]
        base_url: Option<String>,
        /// Include papers marked `draft: true`.
        #[arg(long)]
        drafts: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
        } => build(BuildOptions {
            root,
            output,
            base_url,
            drafts,
        }),
    }
}

fn build(options: BuildOptions) -> ExitCode {
    match paperfeed::build(&options) {
        Ok(report) => {
            print_all(&report.warnings);
            eprintln!(
                "paperfeed: {} papers, {} tags, {} files written to {} in {} ms",
                report.papers,
                report.tags,
                report.files,
                report.output.display(),
                report.elapsed.as_millis()
            );
            ExitCode::SUCCESS
        }
        Err(failure) => {
            print_all(&failure.diagnostics);
            let errors = failure.diagnostics.iter().filter(|d| d.is_error()).count();
            let files: std::collections::BTreeSet<_> = failure
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| &d.path)
                .collect();
            eprintln!(
                "paperfeed: build failed with {errors} error{} in {} file{}; the previous output was left untouched",
                if errors == 1 { "" } else { "s" },
                files.len(),
                if files.len() == 1 { "" } else { "s" },
            );
            ExitCode::FAILURE
        }
    }
}

fn print_all(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{d}\n");
    }
}
