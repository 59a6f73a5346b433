// The provider network's happy path, driven by @polkadot/api with no custom type definitions: Ferdie
// registers a kernel and submits a 2-replica job with signAndSend, waits for its JobCompleted event, checks
// the root against the output computed here, and reads the providers' stats with `api.call.computeApi`.
// Needs two `gpu-worker run` providers, //Bob and //Charlie, serving the node (the Rust test
// `provider_network` starts them).
//
// Usage: node compute.mjs [ws://127.0.0.1:9944]
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { check, endpoint, fail, send, TIMEOUT_MS } from './common.mjs';
import { blake3 } from '@noble/hashes/blake3';

const timer = setTimeout(() => fail(`not done within ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS);

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(endpoint), throwOnConnect: true, noInitWarn: true });
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const ferdie = keyring.addFromUri('//Ferdie');

// A kernel no other test contains: each output word is the XOR of the input word with its index, times 3.
const wgsl = `
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;

@compute @workgroup_size(64)
fn mix(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < arrayLength(&input)) {
    output[id.x] = (input[id.x] ^ id.x) * 3u;
  }
}
`;
const words = 256;
const input = new Uint32Array(words).map((_, i) => (i * 2654435761) >>> 0);
const expected = new Uint32Array(words).map((_, i) => Math.imul((input[i] ^ i) >>> 0, 3) >>> 0);
const inputHex = '0x' + Buffer.from(input.buffer).toString('hex');

const registered = await send(api, api.tx.computeJobs.registerKernel(wgsl), ferdie).catch((e) => fail(e.message));
const kernel = registered.find((e) => api.events.computeJobs.KernelRegistered.is(e))?.data.kernel;
check(kernel !== undefined, 'kernel registered');

const spec = {
  kernel,
  entryPoint: 'mix',
  inputs: [{ Inline: inputHex }],
  params: '0x',
  outputLen: words * 4,
  workgroups: [words / 64, 1, 1],
  fuel: 0, // the kernel has no loops
  replicas: 2,
  quorum: 2,
  rewardPerReplica: 10_000_000_000n, // 0.01 GPUC
  commitWindow: 20,
  revealWindow: 20,
  queueWindow: 100,
  needs: { minVramMib: 0, determinismClass: null },
};
const quote = await api.call.computeApi.quote(spec);
check(quote.isOk, `quote with providers: ${quote.toString()}`);

// Subscribe before submitting, so the completion cannot be missed.
let jobId;
const completed = new Promise((resolve) => {
  api.query.system.events((records) => {
    for (const { event } of records) {
      if (jobId === undefined) continue;
      if (api.events.computeJobs.JobCompleted.is(event) && event.data.jobId.toBigInt() === jobId) resolve(event);
      if (api.events.computeJobs.JobFailed.is(event) && event.data.jobId.toBigInt() === jobId) fail('the job failed');
    }
  });
});
const submitted = await send(api, api.tx.computeJobs.submitJob(spec), ferdie).catch((e) => fail(e.message));
jobId = submitted.find((e) => api.events.computeJobs.JobSubmitted.is(e))?.data.jobId.toBigInt();
check(jobId !== undefined, `job ${jobId} submitted`);
const started = Date.now();
const event = await completed;
console.log(`job ${jobId} completed in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(event.toHuman())}`);

const root = event.data.resultRoot.toHex();
const expectedRoot = '0x' + Buffer.from(blake3(new Uint8Array(expected.buffer))).toString('hex');
check(root === expectedRoot, 'the winning root is blake3 of the expected output');
check(event.data.winners.toNumber() === 2, `${event.data.winners.toNumber()} providers revealed it`);

for (const who of ['//Bob', '//Charlie']) {
  const stats = await api.call.computeApi.providerStats(keyring.addFromUri(who).address);
  check(stats.isSome, `${who} is a provider`);
  const { reputation } = stats.unwrap();
  check(reputation.jobsCompleted.toNumber() >= 1, `${who}: ${reputation.jobsCompleted} jobs completed, earned ${reputation.totalEarned.toHuman()}`);
}

clearTimeout(timer);
await api.disconnect();
console.log('PASS');
