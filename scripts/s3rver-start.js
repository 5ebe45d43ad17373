#!/usr/bin/env node
// Starts the S3-compatible test server (npm s3rver, pinned in tests/e2e/package.json) on a free
// loopback port with a fresh temporary data directory, prints "PORT" on the first line of stdout
// once it accepts requests, and runs until stdin closes or it gets SIGTERM/SIGINT; the data
// directory is removed on exit. Tests spawn it with a pipe on stdin, so the server also goes away
// when the test process dies without cleaning up.
//
//   node --openssl-legacy-provider scripts/s3rver-start.js [--bucket NAME]... [--port N]
//
// The flag matters: s3rver 3.7.1 encrypts ListObjectsV2 continuation tokens with DES, which
// OpenSSL 3 only offers through its legacy provider; without it every truncated listing fails
// with HTTP 500. The script refuses to start when DES is unavailable.
//
// s3rver accepts any well-formed SigV4 request from its built-in account (access key S3RVER,
// secret S3RVER) without checking the signature itself (see docs/s3.md).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

// s3rver as installed by `npm ci` in tests/e2e (the pinned version); returns its package folder.
function s3rverDirectory() {
  const dir = path.join(__dirname, '..', 'tests', 'e2e', 'node_modules', 's3rver');
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    process.stderr.write(
        's3rver-start: the npm package s3rver is not installed; run `npm ci` in tests/e2e\n');
    process.exit(2);
  }
  return dir;
}

function parseArgs(argv) {
  const args = {buckets: [], port: 0};
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--bucket' && value !== undefined) {
      args.buckets.push(value);
      i++;
    } else if (argv[i] === '--port' && value !== undefined && /^\d+$/.test(value)) {
      args.port = Number(value);
      i++;
    } else {
      process.stderr.write(`s3rver-start: unknown or incomplete argument "${argv[i]}"\n`);
      process.exit(2);
    }
  }
  return args;
}

function checkDesAvailable() {
  try {
    require('crypto').createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
  } catch (err) {
    process.stderr.write(
        's3rver-start: DES is unavailable, so s3rver could not page listings; run it as ' +
        '`node --openssl-legacy-provider scripts/s3rver-start.js`\n');
    process.exit(2);
  }
}

// s3rver's filesystem store removes a "directory" when its last object is deleted; a PUT into
// that directory at the same moment (mkdirp done, file not yet opened) then fails with ENOENT
// in an unhandled stream error and the whole server dies. Concurrent writers hit this all the
// time (lock tickets come and go in one folder), so deletes here leave empty directories be.
function keepDirectoriesOnDelete(s3rverDir) {
  const FilesystemStore = require(path.join(s3rverDir, 'lib', 'stores', 'filesystem'));
  FilesystemStore.prototype.deleteObject = async function deleteObject(bucket, key) {
    await Promise.all(['object', 'object.md5', 'metadata.json'].map(
        resource => fs.promises.unlink(this.getResourcePath(bucket, key, resource)).catch(err => {
          if (err.code !== 'ENOENT') throw err;
        })));
  };
}

// s3rver writes an object's bytes in place and its metadata (size, ETag) in a second file, so a
// GET that overlaps a PUT of the same key can return a torn mix of old and new bytes. S3 itself
// replaces objects atomically, and the store relies on that. Here every operation on one key runs
// alone, and a GET reads the whole object before it answers.
function serializePerKey(s3rverDir) {
  const {Readable} = require('stream');
  const FilesystemStore = require(path.join(s3rverDir, 'lib', 'stores', 'filesystem'));
  const chains = new Map();
  const exclusive = (bucket, key, operation) => {
    const id = `${bucket}/${key}`;
    const previous = chains.get(id) || Promise.resolve();
    const run = previous.then(operation, operation);
    const settled = run.then(() => {}, () => {});
    chains.set(id, settled);
    settled.then(() => {
      if (chains.get(id) === settled) chains.delete(id);
    });
    return run;
  };
  // Settles however the stream ends. A client killed in the middle of a PUT leaves a request
  // that s3rver may only hand over once it is already destroyed (its 'error' and 'close' have
  // fired): waiting for 'end' would then hang that key's chain, and every later operation on the
  // key, for good.
  const readAll = stream => new Promise((resolve, reject) => {
    const aborted = () => new Error('the request body ended before it was complete');
    if (stream.destroyed && !stream.readableEnded) {
      reject(stream.errored || aborted());
      return;
    }
    const chunks = [];
    let ended = false;
    stream.on('data', chunk => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => {
      ended = true;
      resolve(Buffer.concat(chunks));
    });
    stream.on('close', () => {
      if (!ended) reject(aborted());
    });
  });
  const {getObject, deleteObject} = FilesystemStore.prototype;
  // s3rver's own putObject answers before the bytes are on disk (it resolves when the data was
  // handed to the write stream), so a GET right after a PUT could read a short file. This one
  // writes a temporary file, renames it over the object, then writes the metadata, and only
  // then answers.
  FilesystemStore.prototype.putObject = function(object) {
    return exclusive(object.bucket, object.key, async () => {
      const content = Buffer.isBuffer(object.content) ? object.content
                                                       : await readAll(object.content);
      const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
      await fs.promises.mkdir(path.dirname(objectPath), {recursive: true});
      const temporary = `${objectPath}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await fs.promises.writeFile(temporary, content);
      await fs.promises.rename(temporary, objectPath);
      const md5 = require('crypto').createHash('md5').update(content).digest('hex');
      await this.putMetadata(object.bucket, object.key, object.metadata, md5);
      return {size: content.length, md5};
    });
  };
  FilesystemStore.prototype.deleteObject = function(bucket, key) {
    return exclusive(bucket, key, () => deleteObject.call(this, bucket, key));
  };
  FilesystemStore.prototype.getObject = function(bucket, key, options) {
    return exclusive(bucket, key, async () => {
      const object = await getObject.call(this, bucket, key, options);
      if (object && object.content) {
        object.content = Readable.from([await readAll(object.content)]);
      }
      return object;
    });
  };
}

// With TANDEM_S3RVER_TRACE=FILE, one line per request goes to FILE.PID: the time it came (ms
// since the epoch), how long it took to answer, when its body had been read (-1: never), how it
// ended (finish, or close: the client hung up first), status, method and path. This is how a
// request waiting on another one shows up, e.g. a body nobody reads.
function traceRequests(httpServer, file) {
  if (!file) return;
  const out = fs.openSync(`${file}.${process.pid}`, 'w');
  httpServer.on('request', (req, res) => {
    const start = Date.now();
    let bodyRead = -1;
    req.on('end', () => {
      bodyRead = Date.now() - start;
    });
    const log = how => fs.writeSync(out, `${start} ${Date.now() - start} ${bodyRead} ${how} ` +
                                             `${res.statusCode} ${req.method} ${req.url}\n`);
    res.on('finish', () => log('finish'));
    res.on('close', () => {
      if (!res.writableFinished) log('close');
    });
  });
}

async function main() {
  checkDesAvailable();
  const dir = s3rverDirectory();
  const S3rver = require(dir);
  keepDirectoriesOnDelete(dir);
  serializePerKey(dir);
  const args = parseArgs(process.argv.slice(2));
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: args.port,
    directory,
    silent: true,
    configureBuckets: args.buckets.map(name => ({name})),
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const done = () => {
      fs.rmSync(directory, {recursive: true, force: true});
      process.exit(0);
    };
    server.close().then(done, done);
    // Keep-alive connections can hold close() open; the data directory goes regardless.
    setTimeout(done, 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();

  const address = await server.run();
  traceRequests(server.httpServer, process.env.TANDEM_S3RVER_TRACE);
  process.stdout.write(`${address.port}\n`);
}

main().catch(err => {
  process.stderr.write(`s3rver-start: ${err.stack || err}\n`);
  process.exit(1);
});
