//! `flows`: explain VPC Flow Log records against the snapshot. Exit 0
//! every REJECT explained and no drift, 1 otherwise.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;
use miette::IntoDiagnostic;

use super::common::load;
use vpcreach::flows;
use vpcreach::report;
use vpcreach::topology::Topology;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum FlowsFormat {
    Text,
    Json,
    Csv,
}

#[derive(clap::Args)]
pub struct FlowsArgs {
    /// Snapshot directory (describe-* JSON files) or single JSON file.
    #[arg(long)]
    snapshot: PathBuf,
    /// Flow log files (plain or gzip) or directories (walked recursively); `-` reads stdin.
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    inputs: Vec<PathBuf>,
    /// The flow log's custom format, as given to create-flow-logs:
    /// '${version} ${interface-id} …'. A header line in a file takes precedence.
    /// Default: the version 2 default format.
    #[arg(long)]
    log_format: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: FlowsFormat,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(vpcreach::flows::log_format))]
struct LogFormatError {
    message: String,
    #[source_code]
    src: miette::NamedSource<String>,
    #[label("here")]
    span: miette::SourceSpan,
    #[help]
    help: Option<String>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot read flow log input {path}: {error}")]
#[diagnostic(
    code(vpcreach::flows::input),
    help("pass files, directories, or - for stdin")
)]
struct FlowInputError {
    path: String,
    error: std::io::Error,
}

/// `--log-format`, checked for the fields attribution needs.
// The error carries the format text so that miette can point into it; it
// happens once per run.
#[allow(clippy::result_large_err)]
fn log_format(spec: &str) -> Result<flows::Format, LogFormatError> {
    let f = flows::Format::parse(spec).map_err(|e| LogFormatError {
        message: format!("--log-format: {}", e.message),
        src: miette::NamedSource::new("--log-format", spec.to_string()),
        span: e.span.into(),
        help: e.help.clone(),
    })?;
    let missing = f.missing();
    if !missing.is_empty() {
        return Err(LogFormatError {
            message: format!(
                "--log-format lacks {}, which vpcreach needs to evaluate a record",
                missing
                    .iter()
                    .map(|m| m.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            src: miette::NamedSource::new("--log-format", spec.to_string()),
            span: (0, spec.len()).into(),
            help: Some("flow logs created without these fields cannot be attributed".into()),
        });
    }
    Ok(f)
}

pub fn run(args: FlowsArgs) -> miette::Result<u8> {
    let format = args.log_format.as_deref().map(log_format).transpose()?;
    let inputs = flows::collect_inputs(&args.inputs).map_err(|(p, e)| FlowInputError {
        path: p.display().to_string(),
        error: e,
    })?;
    let snap = load(&args.snapshot)?;
    let topo = Topology::new(&snap.network);
    let attr = flows::Attributor::new(&topo);
    let opts = flows::Options { format };
    let progress = super::progress::Terminal::default();
    let summary = match args.format {
        FlowsFormat::Text => {
            let s = flows::run(&attr, &inputs, &opts, None, &mut std::io::sink(), &progress)
                .into_diagnostic()?;
            let text = report::flows::text(&attr, &s);
            std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .into_diagnostic()?;
            s
        }
        FlowsFormat::Json => {
            let out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
            let mut doc = report::flows::JsonDocument::begin(out).into_diagnostic()?;
            let s = flows::run(
                &attr,
                &inputs,
                &opts,
                Some(&report::flows::JsonSink),
                &mut doc,
                &progress,
            )
            .into_diagnostic()?;
            doc.finish(&attr, &s).into_diagnostic()?;
            s
        }
        FlowsFormat::Csv => {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
            out.write_all(report::flows::CSV_HEADER.as_bytes())
                .into_diagnostic()?;
            let s = flows::run(
                &attr,
                &inputs,
                &opts,
                Some(&report::flows::CsvSink),
                &mut out,
                &progress,
            )
            .into_diagnostic()?;
            out.flush().into_diagnostic()?;
            s
        }
    };
    for (f, e) in &summary.file_errors {
        eprintln!("vpcreach flows: {f}: {e}");
    }
    Ok(summary.exit_code())
}
