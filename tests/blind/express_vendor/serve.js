#!/usr/bin/env node
'use strict';

// Usage: node serve.js --world WORLD.json --host 127.0.0.1 --port 0 --ready-file READY.json

const fs = require('fs');
const path = require('path');
const { Store } = require('./src/store');
const { createApp } = require('./src/app');

function parseArgs(argv) {
  const opts = { host: '127.0.0.1', port: 0 };
  const names = { '--world': 'world', '--host': 'host', '--port': 'port', '--ready-file': 'readyFile' };
  for (let i = 0; i < argv.length; i += 1) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq !== -1) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const key = names[arg];
    if (!key) usage(`unknown argument: ${arg}`);
    if (value === undefined) {
      i += 1;
      if (i >= argv.length) usage(`missing value for ${arg}`);
      value = argv[i];
    }
    opts[key] = value;
  }
  if (!opts.world) usage('--world is required');
  const port = Number(opts.port);
  if (!/^[0-9]+$/.test(String(opts.port)) || port > 65535) usage(`invalid --port: ${opts.port}`);
  opts.port = port;
  return opts;
}

function usage(msg) {
  process.stderr.write(`${msg}\nusage: node serve.js --world WORLD.json [--host HOST] [--port PORT] [--ready-file READY.json]\n`);
  process.exit(2);
}

function writeReadyFile(file, data) {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

function main() {
  const opts = parseArgs(process.argv.slice(2));

  let store;
  try {
    store = Store.fromWorld(JSON.parse(fs.readFileSync(opts.world, 'utf8')));
  } catch (err) {
    process.stderr.write(`cannot load world ${opts.world}: ${err.message}\n`);
    process.exit(1);
  }

  const app = createApp(store);
  const server = app.listen(opts.port, opts.host);
  server.keepAliveTimeout = 5000;

  server.on('error', (err) => {
    process.stderr.write(`server error: ${err.message}\n`);
    process.exit(1);
  });

  server.on('listening', () => {
    const { port } = server.address();
    const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    const senderIds = {};
    for (const account of store.accounts.values()) {
      for (const sn of account.senderNumbers) senderIds[sn.phone] = store.senderJSON(sn).id;
    }
    if (opts.readyFile) {
      try {
        writeReadyFile(opts.readyFile, { base_url: `http://${host}:${port}`, sender_ids: senderIds });
      } catch (err) {
        process.stderr.write(`cannot write ready file: ${err.message}\n`);
        process.exit(1);
      }
    }
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    store.stop();
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
