//! The requester's commands: `submit` (registering the kernel when missing, then following the job through
//! its phases), `status` and `fetch` (download from a provider that revealed the winning root, verified
//! against the root stored on chain).

use std::io::Read;
use std::time::{Duration, Instant};

use crate::Error;
use compute_primitives::failure::failure_reason_of;
use compute_primitives::{JobDetails, JobId, JobPhase, JobResult, ResultRoot};

use crate::chain::api::compute_jobs::events::JobSubmitted;
use crate::chain::api::runtime_types::bounded_collections::bounded_vec::BoundedVec;
use crate::chain::{api, AccountId, AtBlock, Chain, JobRecord, JobSpec, Static};
use crate::keys::{ss58, Identity};
use crate::units::format_amount;

/// The largest output the protocol allows (and `fetch` downloads).
const MAX_OUTPUT: u64 = 128 << 20;

/// A job to submit.
#[derive(Clone, Debug)]
pub struct SubmitRequest {
    /// The job, terms included.
    pub spec: JobSpec,
    /// The source of its kernel, registered first when the chain does not have it.
    pub wgsl: String,
    /// Replace the spec's commit window with the shortest the chain accepts for the job's budget.
    pub shortest_commit_window: bool,
}

/// What `submit` did.
#[derive(Clone, Debug)]
pub struct Submitted {
    /// The job's id.
    pub job_id: JobId,
    /// When the submission was included.
    pub at: Instant,
}

/// Registers the kernel when missing and submits the job.
pub async fn submit(
    chain: &Chain,
    identity: &Identity,
    request: &SubmitRequest,
    mut say: impl FnMut(String),
) -> Result<Submitted, Error> {
    let mut spec = request.spec.clone();
    let at = chain.at_best().await?;
    if request.shortest_commit_window {
        spec.commit_window = shortest_commit_window(chain, &at, &spec, request.wgsl.len())?;
        say(format!("commit window: {} blocks, the shortest the job's budget allows", spec.commit_window));
    }
    if chain.kernel_code(&at, &spec.kernel).await?.is_none() {
        say(format!("registering kernel {} ({} bytes)", hex::encode(spec.kernel.0), request.wgsl.len()));
        let wgsl = BoundedVec(request.wgsl.as_bytes().to_vec());
        chain.submit_and_watch(identity.keypair(), &api::tx().compute_jobs().register_kernel(wgsl)).await?;
    }
    let call = api::tx().compute_jobs().submit_job(Static(spec));
    let included = chain.submit_and_watch(identity.keypair(), &call).await?;
    let submitted = included.event::<JobSubmitted>().ok_or(Error::NoJobId)?;
    say(format!("job {} submitted, {} in escrow", submitted.job_id, format_amount(submitted.escrow)));
    Ok(Submitted { job_id: submitted.job_id, at: Instant::now() })
}

/// The shortest commit window the chain at `at` accepts for `spec` on a kernel of `kernel_len` bytes (its
/// `MinCommitWindow` plus the blocks the budget takes at its `ByteStepsPerBlock`).
fn shortest_commit_window(
    chain: &Chain,
    at: &AtBlock,
    spec: &JobSpec,
    kernel_len: usize,
) -> Result<u32, Error> {
    let constants = api::constants().compute_jobs();
    let inclusion = chain.constant(at, constants.min_commit_window())?;
    let speed = chain.constant(at, constants.byte_steps_per_block())?;
    let longest = chain.constant(at, constants.max_commit_window())?;
    let kernel_len = u32::try_from(kernel_len).unwrap_or(u32::MAX);
    spec.commit_window_needed(kernel_len, inclusion, speed)
        .filter(|window| *window <= longest)
        .ok_or(Error::BudgetTooLarge { longest })
}

/// Follows a job block by block until it ends, reporting each change of phase or progress; returns the
/// chain's record of its end.
pub async fn follow(
    chain: &Chain,
    job_id: JobId,
    timeout: Duration,
    mut say: impl FnMut(String),
) -> Result<JobRecord, Error> {
    let deadline = Instant::now() + timeout;
    let mut last = String::new();
    let mut seen_block = 0;
    loop {
        if Instant::now() > deadline {
            return Err(Error::Timeout(timeout, "the job to finish"));
        }
        let at = chain.at_best().await?;
        if at.block_number() == seen_block {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        seen_block = at.block_number();
        match chain.job(&at, job_id).await? {
            None => return Err(Error::UnknownJob(job_id)),
            Some(JobDetails::Finished(record)) => {
                say(format!("#{seen_block} {}", describe_result(&record.outcome)));
                return Ok(record);
            }
            Some(JobDetails::Open(job)) => {
                let n = job.replicas.len();
                let committed = job.replicas.iter().filter(|r| r.commitment.is_some()).count();
                let shown = job.replicas.iter().filter(|r| r.revealed.is_some()).count();
                let line = match job.phase {
                    JobPhase::Queued => "queued: waiting for eligible providers".to_owned(),
                    JobPhase::Committing => format!("assigned to {n}: {committed}/{n} committed"),
                    JobPhase::Revealing => format!("revealing: {shown}/{committed} revealed"),
                };
                if line != last {
                    say(format!("#{seen_block} {line} (deadline #{})", job.deadline));
                    last = line;
                }
            }
        }
    }
}

/// A job's outcome in words.
pub fn describe_result(result: &JobResult) -> String {
    match result {
        JobResult::Completed { root } => match failure_reason_of(root) {
            Some(reason) => {
                format!("completed with the canonical failure {reason:?} (root {})", hex::encode(root.0))
            }
            None => format!("completed: result root {}", hex::encode(root.0)),
        },
        JobResult::Failed => "failed: no quorum, escrow refunded".into(),
        JobResult::Cancelled => "cancelled".into(),
        JobResult::Expired => {
            "expired: no providers within the queue window, escrow refunded, fee taken".into()
        }
        JobResult::NoConsensus => {
            "no consensus: the replicas and the dispute's referees disagreed (a non-deterministic kernel?); \
             nobody was slashed, every replica that revealed was paid"
                .into()
        }
    }
}

/// `gpu-worker status JOB`: the job as the chain has it now.
pub async fn status(chain: &Chain, job_id: JobId) -> Result<String, Error> {
    let at = chain.at_best().await?;
    let details = chain.job(&at, job_id).await?.ok_or(Error::UnknownJob(job_id))?;
    let mut out = format!("job {job_id} at block #{}\n", at.block_number());
    match details {
        JobDetails::Finished(record) => {
            out += &format!(
                "  requester {}\n  kernel {}\n  {} at block #{}\n",
                ss58(&record.requester),
                hex::encode(record.kernel.0),
                describe_result(&record.outcome),
                record.finished_at
            );
        }
        JobDetails::Open(job) => {
            out += &format!(
                "  requester {}\n  kernel {}\n  phase {:?} until block #{}\n  {} replicas (quorum {}), {} each; escrow {}, fee {}, deposit {}\n",
                ss58(&job.requester),
                hex::encode(job.spec.kernel.0),
                job.phase,
                job.deadline,
                job.spec.replicas,
                job.spec.quorum,
                format_amount(job.spec.reward_per_replica),
                format_amount(job.escrow),
                format_amount(job.fee),
                format_amount(job.deposit),
            );
            for r in &job.replicas {
                let state = match (r.commitment, r.revealed) {
                    (_, Some(root)) => format!("revealed {}", hex::encode(root.0)),
                    (Some(_), None) => "committed".into(),
                    (None, _) => "working".into(),
                };
                out += &format!("  - {}: {state}\n", ss58(&r.provider));
            }
        }
    }
    Ok(out)
}

/// The winning root of a finished job and the providers that revealed it (the record names them), or why
/// there is no output.
fn winning_root(
    job_id: JobId,
    details: Option<crate::chain::JobDetails>,
) -> Result<(ResultRoot, Vec<AccountId>), Error> {
    match details {
        None => Err(Error::UnknownJob(job_id)),
        Some(JobDetails::Open(job)) => {
            Err(Error::NoOutput { job_id, why: format!("it is still open ({:?})", job.phase) })
        }
        Some(JobDetails::Finished(record)) => match record.outcome {
            JobResult::Completed { root } => match failure_reason_of(&root) {
                Some(reason) => Err(Error::NoOutput {
                    job_id,
                    why: format!("the providers agreed it cannot run ({reason:?})"),
                }),
                None => Ok((root, record.winners.into_inner())),
            },
            other => Err(Error::NoOutput { job_id, why: describe_result(&other) }),
        },
    }
}

/// Downloads `url` (at most the protocol's largest output) in a blocking task.
async fn download(url: String) -> Result<Vec<u8>, String> {
    tokio::task::spawn_blocking(move || {
        // A provider that is down should cost seconds, not the whole transfer budget: others are asked next.
        // A provider serves its outputs itself: a redirect could only point the download at another host
        // (an internal address of the requester's network, say), so none is followed.
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(5))
            .timeout(Duration::from_secs(120))
            .redirects(0)
            .build();
        let response = agent.get(&url).call().map_err(|e| e.to_string())?;
        if response.status() != 200 {
            let to = response.header("Location").unwrap_or("nowhere").to_owned();
            return Err(format!(
                "answered {} (to {to}), not the output; redirects are not followed",
                response.status()
            ));
        }
        let mut body = Vec::new();
        response.into_reader().take(MAX_OUTPUT + 1).read_to_end(&mut body).map_err(|e| e.to_string())?;
        if body.len() as u64 > MAX_OUTPUT {
            return Err(format!("sent more than the largest output ({MAX_OUTPUT} bytes); stopped reading"));
        }
        Ok(body)
    })
    .await
    .map_err(|e| e.to_string())?
}

/// A verified download.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The output.
    pub output: Vec<u8>,
    /// Its root (equal to the chain's).
    pub root: ResultRoot,
    /// Where it came from.
    pub source: String,
    /// Copies refused because their hash did not match.
    pub refused: Vec<String>,
}

/// Downloads job `job_id`'s output from the providers that revealed the winning root, then from any other
/// provider (or from `sources`, endpoint URLs, when given), and keeps the first copy whose blake3 hash is
/// the root on chain.
pub async fn fetch(chain: &Chain, job_id: JobId, sources: &[String]) -> Result<Fetched, Error> {
    let at = chain.at_best().await?;
    let (root, winners) = winning_root(job_id, chain.job(&at, job_id).await?)?;
    let endpoints: Vec<String> = if sources.is_empty() {
        // The providers that revealed the root (the job's record names them) first; then every other
        // provider, since outputs are addressed by their root and checked against it: that also finds
        // the output when the revealers evicted it.
        let mut profiles = chain.provider_profiles(&at).await?;
        profiles.sort_by_key(|(provider, _)| !winners.contains(provider));
        let mut endpoints = Vec::new();
        for (_, profile) in profiles {
            let endpoint = String::from_utf8_lossy(&profile.endpoint.0).into_owned();
            if !endpoints.contains(&endpoint) {
                endpoints.push(endpoint);
            }
        }
        endpoints
    } else {
        sources.to_vec()
    };
    let root_hex = hex::encode(root.0);
    let mut tried = Vec::new();
    let mut refused = Vec::new();
    for endpoint in endpoints {
        let url = format!("{}/outputs/{root_hex}", endpoint.trim_end_matches('/'));
        match download(url.clone()).await {
            Ok(output) => {
                let got = compute_primitives::result_root(&output);
                if got == root {
                    return Ok(Fetched { output, root, source: url, refused });
                }
                let why = format!(
                    "{url} served {} bytes hashing to {}, not the root: refused",
                    output.len(),
                    hex::encode(got.0)
                );
                refused.push(why.clone());
                tried.push(why);
            }
            Err(e) => tried.push(format!("{url}: {e}")),
        }
    }
    if tried.is_empty() {
        tried.push("no provider is registered to ask (give --from URL)".into());
    }
    Err(Error::NotFetched { job_id, root: root_hex, tried: tried.join("; ") })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-shot HTTP server that answers `response` to the first request; returns its URL.
    fn answer_once(response: &'static str) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/outputs/x", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 1024];
            let _ = std::io::Read::read(&mut stream, &mut request);
            let _ = std::io::Write::write_all(&mut stream, response.as_bytes());
        });
        url
    }

    #[tokio::test]
    async fn downloads_follow_no_redirect() {
        let url = answer_once(
            "HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/\r\nContent-Length: 0\r\n\r\n",
        );
        let error = download(url).await.unwrap_err();
        assert!(error.contains("302") && error.contains("169.254.169.254"), "{error}");
        let url = answer_once("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
        assert_eq!(download(url).await.unwrap(), b"abc");
    }
}
