// Helpers shared by the polkadot-js end-to-end scripts: the endpoint from the command line, assertions that
// print what they checked, and signAndSend as a promise of the extrinsic's events.
export const endpoint = process.argv[2] ?? 'ws://127.0.0.1:9944';
export const TIMEOUT_MS = 120_000;

export function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

export function check(condition, message) {
  if (!condition) fail(message);
  console.log(`ok: ${message}`);
}

// Signs and sends `tx`, resolves with its events once it is in a block; rejects on a dispatch error.
export function send(api, tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, dispatchError, events }) => {
      if (dispatchError) {
        if (dispatchError.isModule) {
          const { section, name } = api.registry.findMetaError(dispatchError.asModule);
          reject(new Error(`dispatch error ${section}.${name}`));
        } else {
          reject(new Error(`dispatch error ${dispatchError.toString()}`));
        }
      } else if (status.isInBlock) {
        resolve(events.map(({ event }) => event));
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        reject(new Error(`transaction ${status.type}`));
      }
    }).catch(reject);
  });
}

