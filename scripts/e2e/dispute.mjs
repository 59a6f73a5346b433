// A dispute followed through its events with @polkadot/api and no custom types: five dev accounts register
// as providers, Alice submits a 2-replica job, the two drawn providers commit and reveal different roots
// (this script plays every provider; the chain sees only roots and commitments), the disagreement opens a
// dispute whose three referees side with the honest root, and the liar is slashed: `DisputeOpened`,
// `JobCompleted`, `ProviderSlashed`, `SlashedFundsSettled`, and the record naming the winners.
//
// Usage: node dispute.mjs [ws://127.0.0.1:9944]
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { blake3 } from '@noble/hashes/blake3';
import { check, endpoint, fail, send, TIMEOUT_MS } from './common.mjs';

const timer = setTimeout(() => fail(`not done within ${(2 * TIMEOUT_MS) / 1000} s`), 2 * TIMEOUT_MS);

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(endpoint), throwOnConnect: true, noInitWarn: true });
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const alice = keyring.addFromUri('//Alice');
const providers = ['//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map((uri) => keyring.addFromUri(uri));
const byAddress = new Map(providers.map((p) => [p.address, p]));

// Every event from now on, so that none is missed between a call and the wait for its consequence.
const seen = [];
const waiters = [];
await api.query.system.events((records) => {
  for (const { event } of records) {
    seen.push(event);
    for (const w of waiters) if (!w.done && w.match(event)) { w.done = true; w.resolve(event); }
  }
});
function waitFor(what, match) {
  const found = seen.find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => waiters.push({ match, resolve, done: false })).then((e) => {
    check(true, what);
    return e;
  });
}

const BOND = 1_000n * 10n ** 12n;
const profile = {
  gpuName: 'script GPU',
  vendor: 'polkadot-js',
  backend: 'Vulkan',
  vramMib: 8192,
  benchmarkScore: 1,
  determinismClass: '0x' + '07'.repeat(16),
  maxConcurrentJobs: 4,
  ask: 1_000_000_000n,
  endpoint: 'http://127.0.0.1:1',
};
await Promise.all(
  providers.map((p) => send(api, api.tx.computeStaking.registerProvider(profile, 0, BOND), p)),
).catch((e) => fail(`registration: ${e.message}`));
check(true, 'five providers registered');

// Any registered kernel: nothing runs it here.
const kernel = (await api.query.computeJobs.kernels.entries())[0][0].args[0];
const spec = {
  kernel,
  entryPoint: 'main',
  inputs: [{ Generated: { seed: '0x' + '5a'.repeat(32), len: 4096 } }],
  params: '0x',
  outputLen: 4096,
  workgroups: [1, 1, 1],
  fuel: 0, // nothing runs it
  replicas: 2,
  quorum: 2,
  rewardPerReplica: 5_000_000_000n, // 0.005 GPUC
  commitWindow: 20,
  revealWindow: 10,
  queueWindow: 20,
  needs: { minVramMib: 0, determinismClass: null },
};
const submitted = await send(api, api.tx.computeJobs.submitJob(spec), alice).catch((e) => fail(e.message));
const jobId = submitted.find((e) => api.events.computeJobs.JobSubmitted.is(e)).data.jobId.toBigInt();
check(true, `job ${jobId} submitted`);

const assigned = await waitFor(`job ${jobId} assigned in a later block`, (e) =>
  api.events.computeJobs.JobAssigned.is(e) && e.data.jobId.toBigInt() === jobId);
const [honest, liar] = assigned.data.providers.map((a) => byAddress.get(a.toString()));
check(honest && liar, `drawn: ${honest.address} (honest) and ${liar.address} (lying)`);

// The chain compares opaque roots: any 32 bytes stand for an output.
const RIGHT = new Uint8Array(32).fill(0x11);
const WRONG = new Uint8Array(32).fill(0x22);
function u64le(n) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
}
// commitment(job, SCALE(provider), root, salt) = blake3_derive_key(context, job ‖ len ‖ provider ‖ root ‖ salt)
function commitmentOf(provider, root, salt) {
  const account = provider.publicKey;
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, account.length, true);
  const message = new Uint8Array([...u64le(jobId), ...len, ...account, ...root, ...salt]);
  return blake3(message, { context: 'compute-chain 2026-11 result commitment v1' });
}
const saltOf = (provider) => blake3(provider.publicKey).slice(0, 32);
const hex = (bytes) => '0x' + Buffer.from(bytes).toString('hex');

async function commitAndReveal(pairs) {
  const revealing = waitFor(`job ${jobId} reveals`, (e) =>
    api.events.computeJobs.RevealPhaseStarted.is(e) && e.data.jobId.toBigInt() === jobId);
  await Promise.all(pairs.map(([p, root]) =>
    send(api, api.tx.computeJobs.commitResult(jobId, hex(commitmentOf(p, root, saltOf(p)))), p)))
    .catch((e) => fail(`commit: ${e.message}`));
  await revealing;
  await Promise.all(pairs.map(([p, root]) =>
    send(api, api.tx.computeJobs.revealResult(jobId, hex(root), hex(saltOf(p))), p)))
    .catch((e) => fail(`reveal: ${e.message}`));
}

const disputed = waitFor(`job ${jobId}: the disagreement opens a dispute`, (e) =>
  api.events.computeJobs.DisputeOpened.is(e) && e.data.jobId.toBigInt() === jobId);
await commitAndReveal([[honest, RIGHT], [liar, WRONG]]);
const referees = (await disputed).data.referees.map((a) => byAddress.get(a.toString()));
check(referees.length === 3 && referees.every((r) => r && r !== honest && r !== liar),
  `three new providers drawn as referees: ${referees.map((r) => r.address).join(', ')}`);
const liarBefore = (await api.call.computeApi.providerStats(liar.address)).unwrap();

// The second round's events only.
seen.length = 0;
const completed = waitFor(`job ${jobId} completed with the honest root`, (e) =>
  api.events.computeJobs.JobCompleted.is(e) && e.data.jobId.toBigInt() === jobId);
await commitAndReveal(referees.map((r) => [r, RIGHT]));
const done = await completed;
check(done.data.resultRoot.toHex() === hex(RIGHT), 'the referees\' root won');
check(done.data.winners.toNumber() === 4, 'the honest replica and the three referees are paid');
const slashed = seen.find((e) => api.events.computeJobs.ProviderSlashed.is(e) && e.data.jobId.toBigInt() === jobId);
check(slashed && slashed.data.provider.toString() === liar.address && slashed.data.reason.isWrongResult,
  `the liar is slashed ${slashed?.data.amount.toString()} for a wrong result`);
check(!seen.some((e) => api.events.computeJobs.ProviderSlashed.is(e) && e.data.provider.toString() !== liar.address),
  'nobody else is slashed');
const settled = seen.find((e) => api.events.computeJobs.SlashedFundsSettled.is(e) && e.data.jobId.toBigInt() === jobId);
check(settled && settled.data.reimbursed.toBigInt() === 3n * spec.rewardPerReplica,
  `the requester is paid back only the referees' pay (${settled?.data.reimbursed}), the rest burned (${settled?.data.burned})`);
check(seen.some((e) => api.events.computeStaking.Slashed.is(e) &&
  e.data.provider.toString() === liar.address && e.data.jobId.unwrap().toBigInt() === jobId),
  'the staking pallet\'s slash names the job');

const liarAfter = (await api.call.computeApi.providerStats(liar.address)).unwrap();
check(liarAfter.bond.toBigInt() < liarBefore.bond.toBigInt(), 'the liar\'s bond paid the slash');
const record = (await api.call.computeApi.job(jobId)).unwrap();
check(record.isFinished, 'the job is finished');
const winners = record.asFinished.winners.map((a) => a.toString()).sort();
const expected = [honest, ...referees].map((p) => p.address).sort();
check(JSON.stringify(winners) === JSON.stringify(expected), 'the record names the four winners');

clearTimeout(timer);
await api.disconnect();
console.log('PASS');
