// An app's event endpoint built with the official Node SDK (EventDispatcher + adaptDefault), for
// tests/node/test_node__live_events.py: it prints "PORT <n>" once listening, then one JSON line per event
// the SDK verified and dispatched.
'use strict';

const http = require('node:http');
const lark = require('@larksuiteoapi/node-sdk');

const dispatcher = new lark.EventDispatcher({
  encryptKey: process.env.ENCRYPT_KEY,
  verificationToken: process.env.VERIFICATION_TOKEN,
  loggerLevel: lark.LoggerLevel.error,
});
const emit = (type) => async (data) => {
  process.stdout.write(JSON.stringify({ type, instance_code: data.instance_code, status: data.status }) + '\n');
  return 'ok';
};
dispatcher.register({
  approval_instance: emit('approval_instance'),
  approval_task: emit('approval_task'),
  approval_cc: emit('approval_cc'),
  'approval.approval.updated_v4': emit('approval.approval.updated_v4'),
});
const server = http.createServer(lark.adaptDefault('/webhook/event', dispatcher, { autoChallenge: true }));
server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));
