#!/usr/bin/env node
// Runs commands against a real Switchboard suite.
//
//   node scripts/with-suite.mjs <command> [args…] [--- <command> [args…]]…
//
// Starts the suite as the README does (`java -jar suite/target/suite-0.1.0-SNAPSHOT-exec.jar`, local
// mode, two gateway nodes), waits for its ready line, runs each command in turn with
// SWITCHBOARD_SUITE_GATEWAYS=http://127.0.0.1:<gw-1>,http://127.0.0.1:<gw-2> in its environment,
// then stops the suite (SIGTERM: it stops in order) and exits with the first failing command's code.
//
// Ports: whatever SWITCHBOARD_*_PORT(S) the environment sets, otherwise free ones (0), so that a run
// never collides with another suite on the machine. Data: a fresh temporary directory unless
// SWITCHBOARD_DATA_DIR is set. To use a suite that is already running instead, set
// SWITCHBOARD_SUITE_GATEWAYS yourself. The suite's output goes to e2e/artifacts/suite.log.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const clients = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(clients, '..');
const READY_TIMEOUT_MS = 180_000;

const commands = [];
for (const arg of process.argv.slice(2)) {
  if (arg === '---' || commands.length === 0) {
    commands.push([]);
  }
  if (arg !== '---') {
    commands[commands.length - 1].push(arg);
  }
}
if (commands.length === 0 || commands.some((c) => c.length === 0)) {
  console.error('usage: with-suite.mjs <command> [args…] [--- <command> [args…]]…');
  process.exit(2);
}

function run(command) {
  return new Promise((resolvePromise) => {
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', cwd: clients, env: process.env });
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
    child.on('error', (error) => {
      console.error(`cannot run ${command[0]}: ${error.message}`);
      resolvePromise(1);
    });
  });
}

async function runAll() {
  let failed = 0;
  for (const command of commands) {
    console.log(`\n$ ${command.join(' ')}`);
    const code = await run(command);
    if (code !== 0 && failed === 0) {
      failed = code;
    }
  }
  return failed;
}

if (process.env.SWITCHBOARD_SUITE_GATEWAYS) {
  process.exit(await runAll());
}

const jar = process.env.SWITCHBOARD_SUITE_JAR ?? join(repo, 'suite/target/suite-0.1.0-SNAPSHOT-exec.jar');
if (!existsSync(jar)) {
  console.error(`no suite jar at ${jar}: build it first (./mvnw -B package -DskipTests)`);
  process.exit(2);
}
const artifacts = join(clients, 'e2e/artifacts');
mkdirSync(artifacts, { recursive: true });
const ownDataDir = !process.env.SWITCHBOARD_DATA_DIR;
const dataDir = process.env.SWITCHBOARD_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'switchboard-clients-'));
const env = {
  ...process.env,
  SWITCHBOARD_DATA_DIR: dataDir,
  SWITCHBOARD_KAFKA_PORT: process.env.SWITCHBOARD_KAFKA_PORT ?? '0',
  SWITCHBOARD_REDIS_PORT: process.env.SWITCHBOARD_REDIS_PORT ?? '0',
  SWITCHBOARD_GATEWAY_PORTS: process.env.SWITCHBOARD_GATEWAY_PORTS ?? '0,0',
  SWITCHBOARD_PRESENCE_PORT: process.env.SWITCHBOARD_PRESENCE_PORT ?? '0',
  SWITCHBOARD_ROUTING_PORT: process.env.SWITCHBOARD_ROUTING_PORT ?? '0',
  SWITCHBOARD_OFFLINE_PORT: process.env.SWITCHBOARD_OFFLINE_PORT ?? '0',
};
const javaOptions = (process.env.SWITCHBOARD_JAVA_OPTS ?? '-Xms256m -Xmx1g').split(/\s+/).filter(Boolean);
const log = createWriteStream(join(artifacts, 'suite.log'));
const started = Date.now();
const suite = spawn('java', [...javaOptions, '-jar', jar], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
suite.stderr.pipe(log);

const gateways = [];
let exited = false;
const ready = new Promise((resolveReady, rejectReady) => {
  let buffered = '';
  suite.stdout.on('data', (chunk) => {
    log.write(chunk);
    buffered += chunk.toString();
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const gateway = /^gateway\s+ws:\/\/([^/\s]+)\/ws/.exec(line);
      if (gateway) {
        gateways.push(`http://${gateway[1]}`);
      }
      if (/Switchboard is ready/.test(line)) {
        resolveReady();
      }
    }
  });
  suite.on('exit', (code) => {
    exited = true;
    rejectReady(new Error(`the suite exited with ${code} before it was ready (see e2e/artifacts/suite.log)`));
  });
  setTimeout(() => rejectReady(new Error('the suite was not ready within 180 s')), READY_TIMEOUT_MS).unref();
});

function stop() {
  return new Promise((resolveStop) => {
    if (exited) {
      resolveStop();
      return;
    }
    const kill = setTimeout(() => suite.kill('SIGKILL'), 30_000);
    suite.on('exit', () => {
      clearTimeout(kill);
      resolveStop();
    });
    suite.kill('SIGTERM');
  });
}

let code = 1;
try {
  await ready;
  console.log(`suite ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${gateways.join(', ')}`);
  process.env.SWITCHBOARD_SUITE_GATEWAYS = gateways.join(',');
  code = await runAll();
} catch (error) {
  console.error(error.message);
} finally {
  await stop();
  log.end();
  if (ownDataDir) {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
process.exit(code);
