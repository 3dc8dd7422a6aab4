// The official Node SDK's EventDispatcher must accept deliveries that shenpi's payload and crypto code produced.
// pytest (tests/node/test_node__event_dispatcher.py) writes the deliveries -- exact header values and body bytes --
// to the JSON file named by SHENPI_FIXTURES; each is POSTed here to a real http server built with the SDK's
// adaptDefault, the way an app would mount it, so the SDK parses the raw body itself.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const { test } = require('node:test');
const lark = require('@larksuiteoapi/node-sdk');

const fixtures = JSON.parse(fs.readFileSync(process.env.SHENPI_FIXTURES, 'utf8'));
const PATH = '/webhook/event';

async function deliver(c) {
  const seen = [];
  const dispatcher = new lark.EventDispatcher({
    encryptKey: c.encryptKey,
    verificationToken: c.verificationToken,
    loggerLevel: lark.LoggerLevel.error, // fatal is 0, which the SDK reads as "unset"
  });
  const record = (type) => async (data) => { seen.push({ type, data }); return 'ok'; };
  dispatcher.register({
    approval_instance: record('approval_instance'),
    approval_task: record('approval_task'),
    approval_cc: record('approval_cc'),
    'approval.instance.status_changed_v4': record('approval.instance.status_changed_v4'),
    'approval.task.status_changed_v4': record('approval.task.status_changed_v4'),
    'approval.approval.updated_v4': record('approval.approval.updated_v4'),
  });
  const server = http.createServer(lark.adaptDefault(PATH, dispatcher, { autoChallenge: true }));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${server.address().port}${PATH}`, {
      method: 'POST',
      headers: c.headers,
      body: Buffer.from(c.body, 'utf8'),
    });
    return { status: res.status, text: await res.text(), seen };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

for (const c of fixtures) {
  test(c.name, async () => {
    const { status, text, seen } = await deliver(c);
    assert.equal(status, 200);
    const e = c.expect;
    if (e.challenge !== undefined) {
      assert.deepEqual(JSON.parse(text), { challenge: e.challenge });
      assert.equal(seen.length, 0);
      return;
    }
    if (!e.handled) {
      assert.equal(seen.length, 0, 'the SDK should have refused this delivery');
      return;
    }
    assert.equal(seen.length, 1, `handler not called, reply: ${text}`);
    assert.equal(seen[0].type, e.type);
    for (const [k, v] of Object.entries(e.fields)) {
      assert.deepEqual(seen[0].data[k], v, `field ${k}`);
    }
  });
}
