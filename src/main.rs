//! The `newsdex` binary: parses arguments, calls the library, prints, and maps outcomes to exit
//! codes (0 found/done, 1 nothing found, 2 error; a closed pipe ends quietly with 0).

mod cli;
mod cmd;
mod progress;

use std::process::ExitCode;

use newsdex::output::sanitize::{MESSAGE_CHARS, for_terminal_capped};

use clap::Parser;

use cli::{Cli, Command};
use newsdex::Error;

/// glibc's allocator keeps what a thread frees in that thread's arena, and after a large block is
/// freed it raises the size above which blocks come straight from the kernel, so the writer's
/// indexing buffers (freed at every flushed segment, on several threads) were kept as heap that
/// nothing used: a 1 GB archive indexed with `--memory 256` peaked at 945 MB of heap. Two arenas
/// and a fixed 128 KB threshold hand large blocks back when they are freed (peak 412 -> 309 MB on
/// the 100 MB archive). Called before any thread starts; other platforms keep their allocator.
fn bound_the_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called once, before any other thread
    // exists, as glibc requires.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

fn main() -> ExitCode {
    bound_the_heap();
    let cli = Cli::parse();
    // A panic is a bug, or damaged index data tantivy did not expect: say which in one clear
    // message (and exit 2 like any error) instead of a backtrace.
    std::panic::set_hook(Box::new(|info| {
        if newsdex::ingest::is_reading_a_file() {
            return; // reported as a problem with that file; the run goes on
        }
        let msg = newsdex::error::panic_message(info.payload());
        let at = info.location().map(|l| (l.file(), l.line()));
        eprintln!("{}", newsdex::error::panic_report(&msg, at));
    }));
    let result = match std::panic::catch_unwind(|| run(cli)) {
        Ok(r) => r,
        Err(_) => return ExitCode::from(2),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if err
                .chain()
                .any(|c| c.downcast_ref::<Error>().is_some_and(Error::is_broken_pipe))
                || err.chain().any(|c| {
                    c.downcast_ref::<std::io::Error>()
                        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
                })
            {
                return ExitCode::SUCCESS;
            }
            // Each cause once: wrapped errors often repeat their source's message.
            let mut msg = String::new();
            for cause in err.chain() {
                let text = cause.to_string();
                if !msg.contains(&text) {
                    if !msg.is_empty() {
                        msg.push_str(": ");
                    }
                    msg.push_str(&text);
                }
            }
            // Paths and quoted bytes in a message come from the archive: escaped, line by line
            // (a bad query's position marker is the one message with lines of its own).
            let msg: Vec<String> = msg
                .split('\n')
                .map(|l| for_terminal_capped(l, MESSAGE_CHARS).into_owned())
                .collect();
            eprintln!("newsdex: {}", msg.join("\n"));
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let dir = cmd::index_dir(cli.index)?;
    cmd::choose_engine(cli.engine);
    // Index damage that shows only once a query reads the damaged part gets the same clear
    // message as damage found when the index opens.
    run_command(&dir, cli.command).map_err(|e| {
        match e.downcast_ref::<Error>().and_then(Error::damage_detail) {
            Some(detail) => Error::Corrupt { path: dir, detail }.into(),
            None => e,
        }
    })
}

fn run_command(dir: &std::path::Path, command: Command) -> anyhow::Result<ExitCode> {
    let dir = dir.to_path_buf();
    match command {
        Command::Index(args) => cmd::index::cmd_index(&dir, args.0),
        Command::Search(args) => cmd::search::cmd_search(&dir, args.0),
        Command::Stats(args) => cmd::stats::cmd_stats(&dir, args.0),
        Command::Check(args) => cmd::stats::cmd_check(&dir, args.0),
        Command::Eval(args) => cmd::eval::cmd_eval(&dir, args.0),
        Command::Export(args) => cmd::export::cmd_export(&dir, args.0),
        Command::Count(args) => cmd::count::cmd_count(&dir, args.0),
        Command::Show(args) => cmd::show::cmd_show(&dir, args.0),
        Command::Similar(args) => cmd::similar::cmd_similar(&dir, args.0),
        Command::Push(args) => cmd::push::cmd_push(&dir, args.0),
        Command::Serve(args) => cmd::serve::cmd_serve(&dir, args.0),
        Command::Trace(args) => cmd::trace::cmd_trace(&dir, args.0),
        Command::Watch(args) => cmd::watch::cmd_watch(&dir, args.0),
        Command::Optimize => {
            let s = newsdex::index::optimize(&dir)?;
            println!(
                "merged {} segments into {} in {:.2}s; index {:.1} MB -> {:.1} MB",
                s.segments_before,
                s.segments_after,
                s.seconds,
                s.bytes_before as f64 / 1e6,
                s.bytes_after as f64 / 1e6
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
