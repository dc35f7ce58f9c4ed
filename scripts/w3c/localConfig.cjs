// Satchel as an implementation under test, for the W3C VC test suites
// (read by vc-test-suite-implementations from each suite's root).
// scripts/w3c-suites copies this file there and fills in the environment:
//   SATCHEL_W3C_BASE    the server's https base URL (TLS front on loopback)
//   SATCHEL_W3C_TOKEN   a bearer token of an issuer staff member
//   SATCHEL_W3C_ISSUER  that organisation's did:web identifier
const base = process.env.SATCHEL_W3C_BASE;
const issuerDID = process.env.SATCHEL_W3C_ISSUER;
// Sent with every request to these endpoints (https only, in the VC 2.0
// suite): /credentials/issue needs a signed-in issuer; the verifiers need
// nothing, and ignore it.
const headers = {Authorization: `Bearer ${process.env.SATCHEL_W3C_TOKEN}`};
const tags = ['vc2.0', 'eddsa-rdfc-2022', 'BitstringStatusList'];

module.exports = {
  settings: {
    enableInteropTests: false,
    testAllImplementations: false
  },
  implementations: [{
    name: 'Satchel',
    implementation: 'Satchel',
    issuers: [{
      id: issuerDID,
      endpoint: `${base}/credentials/issue`,
      headers,
      tags
    }],
    verifiers: [{
      id: `${base}/credentials/verify`,
      endpoint: `${base}/credentials/verify`,
      headers,
      tags
    }],
    vpVerifiers: [{
      id: `${base}/presentations/verify`,
      endpoint: `${base}/presentations/verify`,
      headers,
      tags
    }]
  }]
};
