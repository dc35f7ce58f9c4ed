// A TLS front for a Satchel server on loopback: node tls-front.cjs
// LISTEN_PORT BACKEND_PORT KEY CERT. Every request on https://127.0.0.1:
// LISTEN_PORT is passed, as it came, to http://127.0.0.1:BACKEND_PORT.
// The W3C suites send configured headers only over https, and fetch
// status lists only over https. With SATCHEL_W3C_DEBUG set, each answer
// of 400 or more is logged with the request that got it.
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');

const [listen, backend, key, cert] = process.argv.slice(2);
const debug = !!process.env.SATCHEL_W3C_DEBUG;
https.createServer({key: fs.readFileSync(key), cert: fs.readFileSync(cert)}, (req, res) => {
  const sent = [];
  if(debug) {
    req.on('data', d => sent.push(d));
  }
  const up = http.request({
    host: '127.0.0.1', port: Number(backend), method: req.method, path: req.url,
    headers: {...req.headers, 'x-forwarded-proto': 'https'}
  }, upRes => {
    res.writeHead(upRes.statusCode, upRes.headers);
    if(debug && upRes.statusCode >= 400) {
      const got = [];
      upRes.on('data', d => got.push(d));
      upRes.on('end', () => console.log(`${req.method} ${req.url} ${upRes.statusCode}\n> ${
        Buffer.concat(sent).toString().slice(0, 3000)}\n< ${Buffer.concat(got).toString().slice(0, 2000)}\n`));
    }
    upRes.pipe(res);
  });
  up.on('error', err => {
    res.writeHead(502, {'content-type': 'text/plain'});
    res.end(`satchel is not answering: ${err.message}\n`);
  });
  req.pipe(up);
}).listen(Number(listen), '127.0.0.1', () => console.log(`tls front on ${listen} -> ${backend}`));
