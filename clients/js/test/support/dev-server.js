// A real `roomlog dev` for the tests: started from the built jar on free loopback ports, with
// its own data directory and secrets, stopped (by its pid) when the tests end, also when they fail.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const JAR = process.env.ROOMLOG_JAR ?? join(repoRoot, 'server/target/roomlog.jar');

const STARTUP_DEADLINE_MS = 120_000;
const STOP_DEADLINE_MS = 30_000;

const running = new Set();
// Last resort when the test process ends without its after() hooks: no java outlives it.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port nobody listens on right now (the dev process binds it a moment later). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

export class DevServer {
  /**
   * A dev server on fresh ports and a fresh data directory; `args` are extra flags of
   * `roomlog dev` (e.g. `--history-size 10`, `--set roomlog.gateway.maxConnectionsPerIp=3`).
   */
  static async create(args = []) {
    if (!existsSync(JAR)) {
      throw new Error(`${JAR} is missing: build it first (mvn -o -q -pl server -am package -DskipTests -DskipITs)`);
    }
    const ports = {
      port: await freePort(),
      adminPort: await freePort(),
      kafkaPort: await freePort(),
      controllerPort: await freePort(),
      queryPort: await freePort(),
    };
    return new DevServer(mkdtempSync(join(tmpdir(), 'roomlog-js-')), ports, args);
  }

  constructor(dataDir, ports, args) {
    this.dataDir = dataDir;
    this.ports = ports;
    this.args = args;
    this.apiKey = 'js-test-key-' + Math.random().toString(36).slice(2);
    this.adminKey = 'js-test-admin-' + Math.random().toString(36).slice(2);
    this.tokenSecret = 'js-test-secret-' + 'x'.repeat(32) + Math.random().toString(36).slice(2);
    this.url = `ws://127.0.0.1:${ports.port}/`;
    this.adminUrl = `http://127.0.0.1:${ports.adminPort}`;
    this.child = null;
    this.output = '';
  }

  /** Starts the process and waits for its banner ("Roomlog dev is ready."). */
  async start() {
    const { port, adminPort, kafkaPort, controllerPort, queryPort } = this.ports;
    const child = spawn(
      'java',
      [
        '-jar', JAR, 'dev',
        '--data-dir', this.dataDir,
        '--bind-host', '127.0.0.1',
        '--port', String(port),
        '--admin-port', String(adminPort),
        '--kafka-port', String(kafkaPort),
        '--controller-port', String(controllerPort),
        '--query-port', String(queryPort),
        '--query-bind-host', '127.0.0.1',
        '--api-key', `js:${this.apiKey}`,
        '--admin-key', this.adminKey,
        '--token-secret', this.tokenSecret,
        '--partitions', '1',
        ...this.args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    running.add(child);
    let exited = false;
    child.on('exit', () => {
      exited = true;
      running.delete(child);
    });
    child.stdout.on('data', (chunk) => (this.output += chunk));
    child.stderr.on('data', (chunk) => (this.output = (this.output + chunk).slice(-20_000)));
    await waitFor(
      () => {
        if (exited) throw new Error(`roomlog dev exited before it was ready:\n${this.output.slice(-4000)}`);
        return this.output.includes('Roomlog dev is ready.');
      },
      { timeoutMs: STARTUP_DEADLINE_MS, message: () => `roomlog dev not ready:\n${this.output.slice(-4000)}` },
    );
  }

  /** Stops the process (SIGTERM, then SIGKILL past the deadline) and waits until it is gone. */
  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolveGone) => child.once('exit', resolveGone));
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), STOP_DEADLINE_MS);
    await gone;
    clearTimeout(timer);
    this.child = null;
  }

  /** Stops the process and removes its data directory. */
  async destroy() {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A user token (HS256 JWT) the gateway accepts, signed with this server's secret. */
  token({ sub, name = sub, ttlSeconds = 3600 }) {
    const now = Math.floor(Date.now() / 1000);
    const part = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
    const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, name, iat: now, exp: now + ttlSeconds })}`;
    const signature = createHmac('sha256', this.tokenSecret).update(unsigned).digest('base64url');
    return `${unsigned}.${signature}`;
  }

  /** DELETE /@connections/{id} on the management port: the server closes that connection. */
  async killConnection(connectionId) {
    const response = await fetch(`${this.adminUrl}/@connections/${encodeURIComponent(connectionId)}`, {
      method: 'DELETE',
      headers: { 'x-admin-key': this.adminKey },
    });
    if (!response.ok) throw new Error(`DELETE /@connections/${connectionId}: HTTP ${response.status} ${await response.text()}`);
  }
}
