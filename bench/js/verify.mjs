// Verifies one eddsa-rdfc-2022 credential N times with Digital Bazaar's
// verifier (@digitalbazaar/vc with @digitalbazaar/eddsa-rdfc-2022-cryptosuite
// and @digitalbazaar/data-integrity), the way a verifier built on their
// stack does, and prints the median time of one verification.
//
//   node verify.mjs CREDENTIAL.json [N]
//
// CREDENTIAL.json is what Satchel's TestWriteBenchCredential writes:
// {"credential": {...}, "contexts": {URL: context}}. The contexts Digital
// Bazaar's loader does not hold (Satchel's own) are served from the file;
// did:key is resolved by their loader. Status is not checked (the Go
// benchmark does not check it either).
import {readFileSync} from 'node:fs';
import {performance} from 'node:perf_hooks';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {securityLoader} from '@digitalbazaar/security-document-loader';

const [file, n = '2000'] = process.argv.slice(2);
const {credential, contexts} = JSON.parse(readFileSync(file, 'utf8'));
const loader = securityLoader();
for(const [url, document] of Object.entries(contexts)) {
  try {
    await loader.documentLoader(url);
  } catch {
    loader.addStatic(url, document);
  }
}
const documentLoader = loader.build();
const suite = new DataIntegrityProof({cryptosuite});
const checkStatus = async () => ({verified: true});

async function verifyOnce() {
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  if(!result.verified) {
    console.error(JSON.stringify(result, null, 2));
    throw new Error('Digital Bazaar\'s verifier did not verify the credential');
  }
}

// Warm up (JIT, jsonld.js's context cache), then time each verification.
for(let i = 0; i < 200; i++) {
  await verifyOnce();
}
const times = [];
for(let i = 0; i < Number(n); i++) {
  const start = performance.now();
  await verifyOnce();
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`js verify: median ${(median * 1000).toFixed(0)} us over ${times.length} verifications`);
