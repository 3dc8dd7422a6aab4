// A long-connection client built with the official Node SDK (WSClient + EventDispatcher), for the tests in
// tests/node/test_node__long_connection.py: one JSON line per approval event it receives, on stdout.
//   node ws_client.js DOMAIN APP_ID APP_SECRET [--die-after N] [--handle-ms MS]
// --die-after N: on the Nth event, print it and exit before the SDK answers it. --handle-ms: how long handling each
// event takes. A refused start prints {"error": code, "msg": ...} and exits 2.
'use strict';

const lark = require('@larksuiteoapi/node-sdk');

const [domain, appId, appSecret, ...rest] = process.argv.slice(2);
const option = (name) => (rest.includes(name) ? Number(rest[rest.indexOf(name) + 1]) : 0);
const dieAfter = option('--die-after');
const handleMs = option('--handle-ms');
let seen = 0;

const emit = (type) => async (data) => {
  seen += 1;
  const event = { app_id: data.app_id, user_id: data.user_id || '' };
  if (data.object) event.process_obj_bytes = Buffer.byteLength(data.object.process_obj || '');
  process.stdout.write(JSON.stringify({
    type, id: data.uuid || data.event_id, instance: data.instance_code || '', status: data.status || '', event,
  }) + '\n');
  if (dieAfter && seen >= dieAfter) process.exit(3);
  if (handleMs) await new Promise((resolve) => setTimeout(resolve, handleMs));
  return undefined;
};

const dispatcher = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error }).register({
  approval_instance: emit('approval_instance'),
  approval_task: emit('approval_task'),
  approval_cc: emit('approval_cc'),
  'approval.approval.updated_v4': emit('approval.approval.updated_v4'),
  'approval.instance.status_changed_v4': emit('approval.instance.status_changed_v4'),
  'approval.task.status_changed_v4': emit('approval.task.status_changed_v4'),
});

const client = new lark.WSClient({
  appId, appSecret, domain, loggerLevel: lark.LoggerLevel.info,
  onError: (err) => {
    const m = /code=(\d+), msg=(.*)$/.exec(err.message) || [];
    process.stdout.write(JSON.stringify({ error: Number(m[1] || 0), msg: m[2] || err.message }) + '\n');
    process.exit(2);
  },
});
client.start({ eventDispatcher: dispatcher });
