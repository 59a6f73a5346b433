//! `gpu-worker submit`: submit a job (registering its kernel when missing) and follow it to its end.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::chain_job::JobTerms;
use crate::commands;
use anyhow::anyhow;
use clap::Args;
use compute_client::chain::Chain;
use compute_client::units::parse_amount;

use super::{runtime, KernelArgs, KeyArgs, NodeArgs};

#[derive(Args)]
pub(crate) struct SubmitArgs {
    #[command(flatten)]
    pub(crate) node: NodeArgs,
    #[command(flatten)]
    pub(crate) key: KeyArgs,
    #[command(flatten)]
    pub(crate) job: KernelArgs,
    /// Providers that run the job. Two or more are verified (a disagreement goes to a dispute); one is
    /// unverified: any root it reveals is the result.
    #[arg(long, default_value_t = 2)]
    pub(crate) replicas: u8,
    /// Matching results needed (default: a majority).
    #[arg(long)]
    pub(crate) quorum: Option<u8>,
    /// Reward per replica, in GPUC.
    #[arg(long, default_value = "0.01")]
    pub(crate) reward: String,
    /// The job's compute budget: the most loop iterations one invocation may run, all its loops
    /// together (at most 65 000). A kernel that needs more ends with the canonical out-of-fuel failure,
    /// on every provider alike; the chain sizes the shortest commit window from it.
    #[arg(long, default_value_t = 1024)]
    pub(crate) fuel: u32,
    /// Blocks to commit (default: the shortest the chain allows for the job's budget).
    #[arg(long)]
    pub(crate) commit_window: Option<u32>,
    /// Blocks to reveal.
    #[arg(long, default_value_t = 10)]
    pub(crate) reveal_window: u32,
    /// Blocks to wait for providers.
    #[arg(long, default_value_t = 100)]
    pub(crate) queue_window: u32,
    /// Least GPU memory of the providers, in MiB.
    #[arg(long, default_value_t = 0)]
    pub(crate) min_vram_mib: u32,
    /// Return once submitted instead of following the job.
    #[arg(long)]
    pub(crate) no_wait: bool,
    /// Fetch the verified output to this file once completed (a PNG for image kernels and `.png` names).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Give up following after this many seconds.
    #[arg(long, default_value_t = 600)]
    pub(crate) timeout: u64,
}

/// Submits, follows, and fetches the output when asked: exit status 3 when the job did not complete.
pub(crate) fn run(args: SubmitArgs) -> anyhow::Result<ExitCode> {
    let identity = args.key.identity()?;
    let replicas = args.replicas;
    let terms = JobTerms {
        replicas,
        quorum: args.quorum.unwrap_or(replicas / 2 + 1),
        reward_per_replica: parse_amount(&args.reward).map_err(|e| anyhow!("--reward: {e}"))?,
        fuel: args.fuel,
        commit_window: args.commit_window,
        reveal_window: args.reveal_window,
        queue_window: args.queue_window,
        min_vram_mib: args.min_vram_mib,
    };
    let (program, builtin) = commands::build_program(&args.job.program(true)?)?;
    let request = compute_client::requester::SubmitRequest {
        spec: crate::chain_job::spec_of(&program, &terms)?,
        wgsl: program.wgsl.to_string(),
        shortest_commit_window: terms.commit_window.is_none(),
    };
    let say = |line: String| eprintln!("{line}");
    runtime()?.block_on(async {
        let chain = Chain::connect(&args.node.node).await?;
        let submitted = compute_client::requester::submit(&chain, &identity, &request, say).await?;
        println!("{}", submitted.job_id);
        if args.no_wait {
            return Ok(ExitCode::SUCCESS);
        }
        let finished = compute_client::requester::follow(
            &chain,
            submitted.job_id,
            Duration::from_secs(args.timeout),
            say,
        )
        .await?;
        eprintln!("finished {:.1} s after submission", submitted.at.elapsed().as_secs_f64());
        let completed = matches!(finished.outcome, compute_primitives::JobResult::Completed { .. });
        if let (Some(out), true) = (&args.out, completed) {
            let fetched = compute_client::requester::fetch(&chain, submitted.job_id, &[]).await?;
            for refused in &fetched.refused {
                eprintln!("{refused}");
            }
            let png = builtin
                .and_then(|job| job.image())
                .filter(|_| out.extension().is_some_and(|e| e.eq_ignore_ascii_case("png")))
                .map(|(w, h, format)| (w, h, Some(format)));
            let wrote = crate::image::write_output(out, &fetched.output, png)?;
            eprintln!("verified against the root on chain ({}); {wrote}", fetched.source);
        }
        Ok(if completed { ExitCode::SUCCESS } else { ExitCode::from(3) })
    })
}
