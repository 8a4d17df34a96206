'use strict';
// What every Ferry client in Node needs: the services loaded from the repository's .proto files (no
// copies, no generated code), and a failed call taken apart into the Ferry error it carries.

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const PROTO_DIR = path.resolve(__dirname, '../../proto/src/main/proto');

const definitions = protoLoader.loadSync(['ferry/v1/records.proto', 'ferry/v1/broker.proto'], {
  includeDirs: [PROTO_DIR],
  keepCase: true, // field names as in the .proto: request_id, timestamp_ms
  longs: String, // int64 offsets and timestamps as decimal strings, exact beyond 2^53
  enums: String, // 'ACKS_ALL', 'UNKNOWN_TOPIC'
  defaults: true, // partition 0 is 0, not undefined
  oneofs: true, // an absent `optional` field is undefined, a present one is named in `_<field>`
});
const ferry = grpc.loadPackageDefinition(definitions).ferry.v1;

// errors.proto marks each ErrorCode retriable or not as an enum value option, which proto-loader drops.
const errorsRoot = new protobuf.Root();
errorsRoot.resolvePath = (origin, target) =>
  target.startsWith('google/protobuf/') ? require.resolve(`protobufjs/${target}`) : path.join(PROTO_DIR, target);
errorsRoot.loadSync('ferry/v1/errors.proto');
const errorCodeOptions = errorsRoot.lookupEnum('ferry.v1.ErrorCode').valuesOptions || {};

/** Whether a client may retry a request that failed with this ErrorCode name (the batch API's Error.code). */
function retriable(errorCode) {
  return Boolean(errorCodeOptions[errorCode] && errorCodeOptions[errorCode]['(retriable)']);
}

// The two messages of grpc-status-details-bin, as Google publishes them (google/rpc/status.proto and
// error_details.proto); only the fields Ferry sets.
const rpcRoot = protobuf.parse(`
  syntax = "proto3";
  package google.rpc;
  message Any { string type_url = 1; bytes value = 2; }
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
  message ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }
`, { keepCase: true }).root;
const RpcStatus = rpcRoot.lookupType('google.rpc.Status');
const ErrorInfo = rpcRoot.lookupType('google.rpc.ErrorInfo');

/**
 * A failed call as a client acts on it: the gRPC status, the google.rpc.ErrorInfo Ferry puts in the status
 * details (undefined when the failure did not come from Ferry, e.g. a connection refused), and the
 * ferry-error-* trailers that say the same for clients that do not decode details.
 */
function describeError(err) {
  const details = err.metadata ? err.metadata.get('grpc-status-details-bin') : [];
  let errorInfo;
  if (details.length > 0) {
    const status = RpcStatus.decode(details[0]);
    const any = status.details.find((d) => d.type_url.endsWith('/google.rpc.ErrorInfo'));
    if (any) {
      errorInfo = ErrorInfo.toObject(ErrorInfo.decode(any.value));
    }
  }
  const trailer = (name) => (err.metadata ? err.metadata.get(name)[0] : undefined);
  return {
    code: err.code,
    codeName: grpc.status[err.code],
    message: err.details,
    errorInfo,
    trailers: { 'ferry-error-code': trailer('ferry-error-code'), 'ferry-error-name': trailer('ferry-error-name') },
    // UNAVAILABLE is retriable by definition; Ferry also marks e.g. UNKNOWN_TOPIC (NOT_FOUND) retriable,
    // because a topic just created reaches every broker a moment later.
    retriable: err.code === grpc.status.UNAVAILABLE || (errorInfo !== undefined && errorInfo.metadata.retriable === 'true'),
  };
}

/** Both services on one channel to `address` (host:port), in plaintext. */
function connect(address) {
  const credentials = grpc.credentials.createInsecure();
  const broker = new ferry.BrokerService(address, credentials);
  const records = new ferry.RecordService(address, credentials, {}, { channelOverride: broker.getChannel() });
  return { broker, records, close: () => broker.close() };
}

/** A unary call as a promise; `deadline` is a Date. */
function call(client, method, request, deadline) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline }, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, retrying (with a growing pause) while it fails with a retriable error
 * and `deadline` has not passed. A non-retriable error is thrown at once.
 */
async function withRetries(what, deadline, attempt) {
  for (let pause = 100; ; pause = Math.min(pause * 2, 2000)) {
    try {
      return await attempt();
    } catch (err) {
      const error = err.code !== undefined ? describeError(err) : { retriable: err.retriable };
      if (!error.retriable || Date.now() + pause >= deadline.getTime()) {
        throw err;
      }
      console.log(`${what}: retriable error (${err.message}), retrying in ${pause} ms`);
      await sleep(pause);
    }
  }
}

module.exports = { connect, call, describeError, retriable, withRetries, grpc };
