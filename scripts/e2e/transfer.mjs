// Connects to a node with @polkadot/api and no custom type definitions, reads its metadata and chain
// properties, transfers from Alice to Bob with signAndSend and waits for the transfer's finalization.
//
// Usage: node transfer.mjs [ws://127.0.0.1:9944]
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const endpoint = process.argv[2] ?? 'ws://127.0.0.1:9944';
const TIMEOUT_MS = 120_000;

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

function check(condition, message) {
  if (!condition) fail(message);
  console.log(`ok: ${message}`);
}

const timer = setTimeout(() => fail(`no finalized transfer within ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS);

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(endpoint), throwOnConnect: true, noInitWarn: true });

const [chain, properties, version] = await Promise.all([
  api.rpc.system.chain(),
  api.rpc.system.properties(),
  api.rpc.state.getRuntimeVersion(),
]);
console.log(`connected to ${chain} (${version.specName} v${version.specVersion})`);
check(api.runtimeMetadata.version >= 14, `metadata v${api.runtimeMetadata.version} decoded`);
check(properties.tokenSymbol.unwrap()[0].toString() === 'GPUC', 'token symbol is GPUC');
check(properties.tokenDecimals.unwrap()[0].toNumber() === 12, 'token has 12 decimals');
check(api.tx.balances?.transferKeepAlive !== undefined, 'balances.transferKeepAlive is in the metadata');

const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const alice = keyring.addFromUri('//Alice');
const bob = keyring.addFromUri('//Bob');
const amount = 1_234_000_000_000n; // 1.234 GPUC

const bobBefore = (await api.query.system.account(bob.address)).data.free.toBigInt();

const finalizedBlock = await new Promise((resolve, reject) => {
  api.tx.balances
    .transferKeepAlive(bob.address, amount)
    .signAndSend(alice, ({ status, dispatchError, events }) => {
      if (dispatchError) {
        reject(new Error(`dispatch error: ${dispatchError.toString()}`));
      } else if (status.isInBlock) {
        const transferred = events.some(({ event }) => api.events.balances.Transfer.is(event));
        console.log(`in block ${status.asInBlock.toHex()} (Transfer event: ${transferred})`);
      } else if (status.isFinalized) {
        resolve(status.asFinalized);
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        reject(new Error(`transaction ${status.type}`));
      }
    })
    .catch(reject);
}).catch((error) => fail(error.message));

const apiAtFinalized = await api.at(finalizedBlock);
const bobAfter = (await apiAtFinalized.query.system.account(bob.address)).data.free.toBigInt();
check(bobAfter - bobBefore === amount, `Bob received ${amount} planck in finalized block ${finalizedBlock.toHex()}`);

clearTimeout(timer);
await api.disconnect();
console.log('PASS');
