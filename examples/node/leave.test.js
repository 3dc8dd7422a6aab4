// Testing a Node integration against shenpi with Node's own test runner (`node --test`).
//
// The recipe: start `shenpi serve` as a child process on a free port (demo data, an admin token), wait for
// /healthz, point the official SDK at it, and reset between tests through the admin API. Needs shenpi on PATH
// (pip install /path/to/shenpi, a checkout of its repository) — or SHENPI_CMD, e.g. "python -m shenpi" — and
// `npm install @larksuiteoapi/node-sdk`.
'use strict';

const assert = require('node:assert/strict');
const { after, before, beforeEach, test } = require('node:test');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const lark = require('@larksuiteoapi/node-sdk');

const ADMIN_TOKEN = 'node-tests';
let shenpi;
let baseUrl;
let client;

function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function admin(method, route, body) {
  const res = await fetch(`${baseUrl}/_shenpi/${route}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await res.json();
  assert.equal(res.status, 200, answer.msg);
  return answer.data;
}

before(async () => {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shenpi-node-'));
  const [cmd, ...args] = (process.env.SHENPI_CMD || 'shenpi').split(' ');
  shenpi = spawn(cmd, [...args, 'serve', '--port', String(port), '--db', `sqlite:///${dir}/shenpi.db`, '--demo',
    '--admin-token', ADMIN_TOKEN], { stdio: ['ignore', 'ignore', 'inherit'] });
  baseUrl = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries += 1) {
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) break;
    } catch { /* not listening yet */ }
    assert.ok(tries < 300, 'shenpi did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  client = new lark.Client({ appId: 'cli_demo_app', appSecret: 'demo_secret', domain: baseUrl,
    loggerLevel: lark.LoggerLevel.error });
});

after(() => shenpi.kill());

beforeEach(() => admin('POST', 'reset')); // the demo data again; clock, faults and journal cleared

function submitLeave() {
  return client.approval.v4.instance.create({
    data: {
      approval_code: 'DEMO-LEAVE',
      user_id: 'alice',
      form: JSON.stringify([{ id: 'reason', type: 'textarea', value: 'family' }, { id: 'days', type: 'number', value: 2 }]),
    },
  });
}

test('a leave request goes to the manager', async () => {
  const created = await submitLeave();
  assert.equal(created.code, 0, created.msg);
  const got = await client.approval.v4.instance.get({
    path: { instance_id: created.data.instance_code },
    params: { user_id_type: 'user_id' },
  });
  assert.deepEqual(got.data.task_list.map((t) => [t.user_id, t.status]), [['bob', 'PENDING']]);
});

test('state from the previous test is gone', async () => {
  assert.deepEqual((await admin('GET', 'outbox')).items, []);
});

test('an error on demand: the SDK rejects, as it does for Feishu', async () => {
  await admin('POST', 'faults', { endpoint: 'approval.v4.instance.create', code: 1395001, times: 1 });
  await assert.rejects(submitLeave(), (e) => e.response.status === 400 && e.response.data.code === 1395001);
  assert.equal((await submitLeave()).code, 0); // only the next call was faulted
});

test('time on demand: a token is worthless two hours later', async () => {
  const token = async () => (await (await fetch(`${baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST', body: JSON.stringify({ app_id: 'cli_demo_app', app_secret: 'demo_secret' }),
  })).json()).tenant_access_token;
  const first = await token();
  await admin('POST', 'clock', { advance_seconds: 7200 });
  assert.notEqual(await token(), first);
});
