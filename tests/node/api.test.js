// The official Node SDK against a real shenpi server: token, definition, instance, approve, reject in both
// dialects, and an error read the way Node callers must (non-2xx rejects the promise). pytest
// (tests/node/test_node__api.py) starts the server and passes its base URL in SHENPI_BASE_URL.
'use strict';

const assert = require('node:assert/strict');
const { test } = require('node:test');
const lark = require('@larksuiteoapi/node-sdk');

const client = new lark.Client({
  appId: 'cli_acme',
  appSecret: 's3cret',
  domain: process.env.SHENPI_BASE_URL,
  loggerLevel: lark.LoggerLevel.error,
});
const APAAS = JSON.parse(process.env.SHENPI_APAAS_IDS);

async function newInstance(approvalCode) {
  const res = await client.approval.v4.instance.create({
    data: {
      approval_code: approvalCode,
      user_id: 'alice',
      form: JSON.stringify([{ id: 'reason', type: 'textarea', value: 'from node' }]),
    },
  });
  assert.equal(res.code, 0, res.msg);
  return res.data.instance_code;
}

async function pendingTask(instanceCode, userId) {
  const res = await client.approval.v4.instance.get({
    path: { instance_id: instanceCode },
    params: { user_id_type: 'user_id' },
  });
  assert.equal(res.code, 0);
  const task = res.data.task_list.find((t) => t.user_id === userId && t.status === 'PENDING');
  assert.ok(task, `${userId} has no pending task`);
  return task.id;
}

test('create a definition and read it back', async () => {
  const res = await client.approval.v4.approval.create({
    data: {
      approval_name: '@i18n@purchase',
      viewers: [{ viewer_type: 'TENANT' }],
      form: { form_content: JSON.stringify([{ id: 'reason', type: 'textarea', name: '@i18n@reason' }]) },
      node_list: [
        { id: 'START' },
        { id: 'boss', name: '@i18n@boss', node_type: 'AND', approver: [{ type: 'Personal', user_id: 'ou_alice' }] },
        { id: 'END' },
      ],
      i18n_resources: [{
        locale: 'en-US',
        is_default: true,
        texts: [
          { key: '@i18n@purchase', value: 'Node purchase' },
          { key: '@i18n@reason', value: 'Reason' },
          { key: '@i18n@boss', value: 'Boss' },
        ],
      }],
    },
  });
  assert.equal(res.code, 0, res.msg);
  const got = await client.approval.v4.approval.get({ path: { approval_code: res.data.approval_code } });
  assert.equal(got.data.approval_name, 'Node purchase');
});

test('approve then reject through approval v4', async () => {
  const inst = await newInstance('TWOSTEP');
  const approved = await client.approval.v4.task.approve({
    params: { user_id_type: 'user_id' },
    data: { approval_code: 'TWOSTEP', instance_code: inst, user_id: 'bob', task_id: await pendingTask(inst, 'bob') },
  });
  assert.equal(approved.code, 0);
  const rejected = await client.approval.v4.task.reject({
    params: { user_id_type: 'user_id' },
    data: {
      approval_code: 'TWOSTEP', instance_code: inst, user_id: 'carol', task_id: await pendingTask(inst, 'carol'),
      comment: 'no from node',
    },
  });
  assert.equal(rejected.code, 0);
  const got = await client.approval.v4.instance.get({ path: { instance_id: inst } });
  assert.equal(got.data.status, 'REJECTED');
  assert.equal(got.data.timeline.at(-1).comment, 'no from node');
});

test('reject through aPaaS with the same task id', async () => {
  const inst = await newInstance('AND2');
  const res = await client.apaas.v1.approvalTask.reject({
    path: { approval_task_id: await pendingTask(inst, 'bob') },
    data: { user_id: APAAS.bob, opinion: '拒绝' },
  });
  assert.equal(res.code, 0);
  const got = await client.approval.v4.instance.get({ path: { instance_id: inst } });
  assert.equal(got.data.status, 'REJECTED');
});

test('errors reject the promise with the Feishu envelope', async () => {
  const inst = await newInstance('AND2');
  const task = await pendingTask(inst, 'bob');
  await assert.rejects(
    client.approval.v4.task.reject({
      params: { user_id_type: 'user_id' },
      data: { approval_code: 'AND2', instance_code: inst, user_id: 'carol', task_id: task },
    }),
    (e) => e.response.status === 403 && e.response.data.code === 1390009,
  );
  await assert.rejects(
    client.apaas.v1.approvalTask.reject({ path: { approval_task_id: '1' }, data: { user_id: APAAS.bob } }),
    (e) => e.response.status === 400 && e.response.data.code === 2320001 && e.response.data.msg === 'param is invalid',
  );
});
