// Drives the jobs pallet with @polkadot/api and no custom type definitions: registers a kernel, submits a
// job, and reads it back through the runtime API (`api.call.computeApi.*`), whose types come from the
// metadata.
//
// Usage: node jobs.mjs [ws://127.0.0.1:9944]
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { check, endpoint, fail, send, TIMEOUT_MS } from './common.mjs';

const timer = setTimeout(() => fail(`not done within ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS);

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(endpoint), throwOnConnect: true, noInitWarn: true });
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const alice = keyring.addFromUri('//Alice');

check(api.call.computeApi?.job !== undefined, 'the runtime API computeApi is in the metadata');
const genesisKernels = await api.query.computeJobs.kernels.entries();
check(genesisKernels.length >= 6, `${genesisKernels.length} kernels registered at genesis`);

// A kernel no test of the project contains: every output word is its input word rotated by 7 bits.
const wgsl = `
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;

@compute @workgroup_size(64)
fn rotate(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < arrayLength(&input)) {
    output[id.x] = (input[id.x] << 7u) | (input[id.x] >> 25u);
  }
}
`;
const registered = await send(api, api.tx.computeJobs.registerKernel(wgsl), alice).catch((e) => fail(e.message));
const kernelEvent = registered.find((e) => api.events.computeJobs.KernelRegistered.is(e));
check(kernelEvent !== undefined, 'KernelRegistered event');
const kernel = kernelEvent.data.kernel;
const info = await api.query.computeJobs.kernels(kernel);
check(info.isSome && info.unwrap().owner.toString() === alice.address, `kernel ${kernel.toHex()} stored, owned by Alice`);

const spec = {
  kernel,
  entryPoint: 'rotate',
  inputs: [{ Generated: { seed: '0x' + '2a'.repeat(32), len: 4096 } }],
  params: '0x',
  outputLen: 4096,
  workgroups: [16, 1, 1],
  fuel: 0, // the kernel has no loops
  replicas: 1,
  quorum: 1,
  rewardPerReplica: 5_000_000_000n, // 0.005 GPUC
  commitWindow: 20,
  revealWindow: 20,
  queueWindow: 100,
  needs: { minVramMib: 0, determinismClass: null },
};

// No provider is registered on a fresh dev chain: the quote says so, and the job waits in the queue.
const quote = await api.call.computeApi.quote(spec);
check(quote.isErr && quote.asErr.isNotEnoughProviders, `quote without providers: ${quote.toString()}`);

// The job is assigned (or queued) in the block after its submission, with randomness that did not exist
// when it was signed: subscribe first so that the event cannot be missed.
let jobId;
const seenQueued = [];
const queued = new Promise((resolve) => {
  api.query.system.events((records) => {
    for (const { event } of records) {
      if (!api.events.computeJobs.JobQueued.is(event)) continue;
      seenQueued.push(event.data.jobId.toBigInt());
      if (jobId !== undefined && seenQueued.includes(jobId)) resolve(event);
    }
  });
});
const submitted = await send(api, api.tx.computeJobs.submitJob(spec), alice).catch((e) => fail(e.message));
const submittedEvent = submitted.find((e) => api.events.computeJobs.JobSubmitted.is(e));
check(submittedEvent !== undefined, 'JobSubmitted event');
jobId = submittedEvent.data.jobId.toBigInt();
check(!submitted.some((e) => api.events.computeJobs.JobAssigned.is(e)), 'nobody is drawn in the submission block');
if (seenQueued.includes(jobId)) {
  check(true, `job ${jobId} queued`);
} else {
  await queued;
  check(true, `job ${jobId} queued in the next block (no providers yet)`);
}

const details = await api.call.computeApi.job(jobId);
check(details.isSome, `computeApi.job(${jobId}) returns the job`);
const job = details.unwrap();
console.log(`job ${jobId}: ${JSON.stringify(job.toHuman())}`);
const json = JSON.stringify(job.toJSON());
check(json.includes(kernel.toHex().slice(2)), 'the job runs the registered kernel');
check(json.toLowerCase().includes('queued'), 'the job is queued');
const assignments = await api.call.computeApi.assignments(alice.address);
check(assignments.length === 0, 'Alice has no assignments');
const stats = await api.call.computeApi.providerStats(alice.address);
check(stats.isNone, 'Alice is not a provider');

clearTimeout(timer);
await api.disconnect();
console.log('PASS');
