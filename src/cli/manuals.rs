//! `vellum completions SHELL` and `vellum man [DIR]`: generated from the
//! same clap definitions as the parser, so they never drift from it.

use std::io::Write;
use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, CliError, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum completions bash > ~/.local/share/bash-completion/completions/vellum
  vellum completions zsh > ~/.zfunc/_vellum        (with fpath+=~/.zfunc before compinit)
  vellum completions fish > ~/.config/fish/completions/vellum.fish
  vellum completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum man | man -l -                       read vellum(1) now
  vellum man ~/.local/share/man/man1          vellum.1 and vellum-add.1, vellum-diff.1, …")]
pub struct ManArgs {
    /// Directory to write vellum.1 and one vellum-COMMAND.1 per command into
    /// [default: print vellum.1 to stdout]
    dir: Option<PathBuf>,
}

pub fn run_completions(args: CompletionsArgs) -> Result<Exit, CliError> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "vellum", &mut out);
    out.flush()?;
    Ok(Exit::Ok)
}

pub fn run_man(args: ManArgs) -> Result<Exit, CliError> {
    let mut cmd = Cli::command();
    // Propagates the global options into each command's page.
    cmd.build();
    let Some(dir) = args.dir else {
        let mut out = std::io::stdout().lock();
        clap_mangen::Man::new(cmd).render(&mut out)?;
        out.flush()?;
        return Ok(Exit::Ok);
    };
    let cannot = |e: std::io::Error| {
        CliError::new(format!(
            "cannot write man pages into {}: {e}",
            dir.display()
        ))
    };
    std::fs::create_dir_all(&dir).map_err(cannot)?;
    let mut pages = vec![("vellum.1".to_owned(), cmd.clone())];
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("vellum-{}", sub.get_name());
        pages.push((
            format!("{name}.1"),
            sub.clone().name(name).version(env!("CARGO_PKG_VERSION")),
        ));
    }
    for (file, page) in pages {
        let mut buf = Vec::new();
        clap_mangen::Man::new(page).render(&mut buf)?;
        std::fs::write(dir.join(&file), buf).map_err(cannot)?;
    }
    writeln!(
        std::io::stdout().lock(),
        "wrote {} man pages into {}",
        cmd.get_subcommands()
            .filter(|s| s.get_name() != "help")
            .count()
            + 1,
        dir.display()
    )?;
    Ok(Exit::Ok)
}
