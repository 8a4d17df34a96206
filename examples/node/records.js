'use strict';
// Ferry's RecordService from Node: create a topic, Publish records with acks 0, 1 and all (unary calls
// and one PublishStream), Subscribe from the earliest offset until every record published here has come
// back, do the same as a consumer group member that commits on its stream, then show what a failed call
// carries. Exits 0 when all of that worked, 1 otherwise.
//
//   node records.js [host:port] [topic]      (default 127.0.0.1:9092, the node's default grpc.listener)

const { randomUUID } = require('node:crypto');
const { connect, call, describeError, retriable, withRetries, grpc } = require('./ferry');

const address = process.argv[2] || '127.0.0.1:9092';
const topic = process.argv[3] || 'examples-node';
const TIMEOUT_MS = 60_000;
const RECORDS_PER_REQUEST = 5;
// Values carry this run's id, so that records of earlier runs in the topic are told apart.
const run = randomUUID().slice(0, 8);

/** CreateTopic through any broker (it forwards to the controllers); an existing topic is fine. */
async function ensureTopic(broker, deadline) {
  const response = await withRetries('CreateTopic', deadline, async () => {
    const r = await call(broker, 'CreateTopic', { name: topic, partition_count: 3 }, deadline);
    // The batch API answers with a typed Error in the response rather than a failed status.
    if (r.error && r.error.code !== 'NONE' && retriable(r.error.code)) {
      throw Object.assign(new Error(`${r.error.code}: ${r.error.message}`), { retriable: true });
    }
    return r;
  });
  const code = response.error ? response.error.code : 'NONE';
  if (code === 'NONE') {
    console.log(`created topic ${topic} with ${response.partitions.length} partition(s)`);
  } else if (code === 'TOPIC_ALREADY_EXISTS') {
    console.log(`topic ${topic} exists`);
  } else {
    throw new Error(`CreateTopic ${topic}: ${code}: ${response.error.message}`);
  }
}

/** Records whose values are `<run>-<label>-<i>`, keyed so that they spread over the partitions. */
function records(label) {
  return Array.from({ length: RECORDS_PER_REQUEST }, (_, i) => ({
    key: Buffer.from(`user-${i}`),
    value: Buffer.from(`${run}-${label}-${i}`),
    headers: [{ key: 'source', value: Buffer.from('examples/node') }],
  }));
}

function printResults(label, acks, response) {
  const placed = response.results.map((r) => (acks === 'ACKS_NONE' ? `p${r.partition}` : `p${r.partition}@${r.offset}`));
  const note = acks === 'ACKS_NONE' ? ' (acks=0: sent, offsets not known)' : '';
  console.log(`${label} ${acks}: ${response.results.length} record(s) -> ${placed.join(' ')}${note}`);
}

/** One unary Publish per acks setting. The first may meet the new topic before this broker knows it: retried. */
async function publishUnary(client, deadline, published) {
  for (const acks of ['ACKS_NONE', 'ACKS_LEADER', 'ACKS_ALL']) {
    const label = `unary-${acks}`;
    const batch = records(label);
    const response = await withRetries(`Publish ${acks}`, deadline, () =>
      call(client, 'Publish', { topic, acks, records: batch }, deadline),
    );
    printResults('Publish', acks, response);
    batch.forEach((r) => published.add(r.value.toString()));
  }
}

/**
 * Three requests in flight on one PublishStream. Responses carry the request_id and may come out of
 * order; the ACKS_NONE request gets none. A refused request is answered with `error`, and the stream
 * stays open.
 */
function publishStream(client, deadline, published) {
  const requests = [
    { request_id: '1', acks: 'ACKS_ALL' },
    { request_id: '2', acks: 'ACKS_LEADER' },
    { request_id: '3', acks: 'ACKS_NONE' },
  ].map((r) => ({ ...r, topic, records: records(`stream-${r.request_id}`) }));
  const awaiting = new Map(requests.filter((r) => r.acks !== 'ACKS_NONE').map((r) => [r.request_id, r]));
  return new Promise((resolve, reject) => {
    const stream = client.PublishStream({ deadline });
    stream.on('data', (response) => {
      const request = awaiting.get(response.request_id);
      if (!request) {
        return;
      }
      awaiting.delete(response.request_id);
      if (response.error) {
        stream.cancel();
        reject(new Error(`PublishStream request ${response.request_id} refused: ${response.error.code}: ${response.error.message}`));
        return;
      }
      printResults(`PublishStream request ${response.request_id}`, request.acks, response);
      if (awaiting.size === 0) {
        stream.end(); // half-close: nothing more to send
      }
    });
    // Done when the server ends the call: it does once the stream is half-closed and every request, the
    // ACKS_NONE one included, has been handled. Cancelling as soon as the answers are in could drop that one.
    stream.on('status', (status) => {
      if (status.code === grpc.status.OK && awaiting.size === 0) {
        resolve();
      } else if (status.code === grpc.status.OK) {
        reject(new Error(`PublishStream ended with ${awaiting.size} request(s) unanswered`));
      }
    });
    stream.on('error', reject);
    for (const request of requests) {
      stream.write(request);
      request.records.forEach((r) => published.add(r.value.toString()));
    }
  });
}

/** Subscribe to every partition from the earliest offset until each value in `expected` has arrived. */
function subscribeUntilAllRead(client, deadline, expected) {
  const missing = new Set(expected);
  return new Promise((resolve, reject) => {
    const stream = client.Subscribe({ deadline });
    stream.on('data', (response) => {
      for (const record of response.records) {
        const value = record.value === undefined ? null : record.value.toString();
        if (!missing.delete(value)) {
          continue; // an earlier run's record
        }
        const key = record.key === undefined ? null : record.key.toString();
        console.log(`Subscribe: partition ${record.partition} offset ${record.offset} key ${key} value ${value}`);
      }
      if (missing.size === 0) {
        stream.cancel(); // Subscribe never ends by itself: the client ends it
        resolve();
      }
    });
    stream.on('error', (err) => {
      if (missing.size === 0 && err.code === grpc.status.CANCELLED) {
        return;
      }
      reject(new Error(`Subscribe ended with ${missing.size} of ${expected.size} record(s) not read: ${err.message}`));
    });
    stream.write({ start: { topic, start: { boundary: 'BOUNDARY_EARLIEST' } } });
  });
}

/**
 * A Subscribe stream as a member of consumer group `group`. `onRecords` gets each response's records;
 * `assigned` resolves with the first assignment that has partitions; `commit(offsets)` sends the next offset to read per
 * partition on the stream and resolves with the coordinator's answer.
 */
function groupMember(client, deadline, group, onRecords) {
  const stream = client.Subscribe({ deadline });
  const commits = new Map();
  let nextCommitId = 1;
  let assignedNow;
  const assigned = new Promise((resolve) => {
    assignedNow = resolve;
  });
  stream.on('data', (response) => {
    // The first assignment comes when the member joins, perhaps before it has partitions.
    if (response.assignment && response.assignment.partitions.length > 0) {
      assignedNow(response.assignment);
    }
    if (response.commit) {
      const answered = commits.get(response.commit.commit_id);
      commits.delete(response.commit.commit_id);
      answered(response.commit);
    }
    if (response.records.length > 0) {
      onRecords(response.records);
    }
  });
  const ended = new Promise((resolve) => stream.on('error', resolve));
  stream.write({ start: { topic, group_id: group, start: { boundary: 'BOUNDARY_EARLIEST' } } });
  return {
    assigned,
    ended,
    commit(offsets) {
      const commitId = String(nextCommitId++);
      const answer = new Promise((resolve) => commits.set(commitId, resolve));
      stream.write({ commit: { commit_id: commitId, offsets } });
      return answer;
    },
    close() {
      stream.cancel(); // the member leaves the group
    },
  };
}

/**
 * Consumer groups on a stream: a member of a new group gets every partition (it is alone), reads this
 * run's records and commits; a record is published, and a second member of the group, opened after the
 * first has left, starts at the committed offsets: the new record is the only one of this run it gets.
 */
async function subscribeAsGroup(client, deadline, expected) {
  const group = `examples-node-${run}`;
  const missing = new Set(expected);
  const next = new Map();
  let allRead;
  const done = new Promise((resolve) => {
    allRead = resolve;
  });
  const first = groupMember(client, deadline, group, (records) => {
    for (const record of records) {
      next.set(record.partition, String(BigInt(record.offset) + 1n));
      missing.delete(record.value === undefined ? null : record.value.toString());
    }
    if (missing.size === 0) {
      allRead();
    }
  });
  const assignment = await first.assigned;
  console.log(`Subscribe (group ${group}): member ${assignment.member_id} joined; partitions [${assignment.partitions}]`);
  await Promise.race([done, first.ended.then((e) => Promise.reject(new Error(`group stream ended: ${e.message}`)))]);
  const offsets = [...next].map(([partition, offset]) => ({ partition, offset }));
  const result = await first.commit(offsets);
  const refused = result.partitions.filter((p) => p.error);
  if (refused.length > 0) {
    throw new Error(`commit refused: ${JSON.stringify(refused)}`);
  }
  console.log(`Subscribe (group ${group}): read all ${expected.size} record(s), committed ${offsets.map((o) => `p${o.partition}@${o.offset}`).join(' ')}`);
  first.close();

  const latest = `${run}-after-commit`;
  await withRetries('Publish', deadline, () =>
    call(client, 'Publish', { topic, acks: 'ACKS_ALL', records: [{ value: Buffer.from(latest) }] }, deadline),
  );
  const again = [];
  let gotLatest;
  const resumed = new Promise((resolve) => {
    gotLatest = resolve;
  });
  const second = groupMember(client, deadline, group, (records) => {
    for (const record of records) {
      const value = record.value === undefined ? null : record.value.toString();
      if (value !== null && value.startsWith(run)) {
        again.push(value);
      }
      if (value === latest) {
        gotLatest();
      }
    }
  });
  await resumed;
  second.close();
  if (again.length !== 1) {
    throw new Error(`the second member got ${again.length} record(s) of this run, expected only ${latest}: ${again}`);
  }
  console.log(`Subscribe (group ${group}): a second member resumed at the committed offsets; its first record of this run is ${latest}`);
}

/** Publishes to a topic that does not exist on purpose, and prints what the failed call carries. */
async function showAnError(client, deadline) {
  const missingTopic = `no-such-topic-${run}`;
  try {
    await call(client, 'Publish', { topic: missingTopic, records: records('error') }, deadline);
  } catch (err) {
    const error = describeError(err);
    console.log(`Publish to ${missingTopic} failed as intended: status ${error.code} ${error.codeName}: ${error.message}`);
    if (error.errorInfo) {
      const { domain, reason, metadata } = error.errorInfo;
      const sorted = Object.fromEntries(Object.entries(metadata).sort());
      console.log(`  ErrorInfo: domain ${domain}, reason ${reason}, metadata ${JSON.stringify(sorted)}`);
    }
    console.log(`  trailers: ferry-error-code ${error.trailers['ferry-error-code']}, ferry-error-name ${error.trailers['ferry-error-name']}`);
    console.log(`  retriable: ${error.retriable}`);
    if (error.trailers['ferry-error-name'] !== 'UNKNOWN_TOPIC') {
      throw new Error(`expected UNKNOWN_TOPIC, got ${err.message}`);
    }
    return;
  }
  throw new Error(`Publish to ${missingTopic} succeeded; expected UNKNOWN_TOPIC`);
}

async function main() {
  const deadline = new Date(Date.now() + TIMEOUT_MS);
  const ferry = connect(address);
  try {
    console.log(`connecting to ${address}, topic ${topic}, run ${run}`);
    await ensureTopic(ferry.broker, deadline);
    const published = new Set();
    await publishUnary(ferry.records, deadline, published);
    await publishStream(ferry.records, deadline, published);
    console.log(`published ${published.size} record(s); subscribing from the earliest offset`);
    await subscribeUntilAllRead(ferry.records, deadline, published);
    console.log(`read back all ${published.size} record(s) published by this run`);
    await subscribeAsGroup(ferry.records, deadline, published);
    await showAnError(ferry.records, deadline);
  } finally {
    ferry.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`failed: ${err.message}`);
    process.exit(1);
  },
);
