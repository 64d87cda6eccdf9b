//! `newsdex serve`: the search page and JSON API (the server itself is `newsdex::serve`).

use std::io::Write;
use std::process::ExitCode;

use crate::cli::ServeArgs;
use crate::cmd::open_engine;
use newsdex::serve::{ServeOptions, run};

pub(crate) fn cmd_serve(dir: &std::path::Path, args: ServeArgs) -> anyhow::Result<ExitCode> {
    if !(args.time_limit.is_finite() && args.time_limit > 0.0) {
        anyhow::bail!(
            "--time-limit must be a positive number of seconds, not {}",
            args.time_limit
        );
    }
    let engine = open_engine(dir)?;
    let mut opts = ServeOptions::new(std::net::SocketAddr::new(args.bind, args.port));
    opts.time_limit = std::time::Duration::from_secs_f64(args.time_limit);
    if !args.bind.is_loopback() {
        eprintln!(
            "newsdex: warning: serving on {} lets anyone who can reach this machine read and \
             export the whole archive: there is no login. Use the default (127.0.0.1) unless \
             that is what you want.",
            args.bind
        );
    }
    run(engine, opts, |addr| {
        let url = format!("http://{addr}/");
        // The first line of stdout is the address (tests and scripts read it).
        println!("newsdex serving {} at {url}", dir.display());
        eprintln!("press Ctrl-C to stop");
        let _ = std::io::stdout().flush();
        if args.open {
            open_browser(&url);
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Asks the desktop to open `url`; a failure only prints the address to open by hand.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_err()
    {
        eprintln!("newsdex: could not start {opener}: open {url} in your browser");
    }
}
