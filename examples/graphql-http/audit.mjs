// Runs the GraphQL-over-HTTP audit suite of `graphql-http` (the spec's reference
// implementation) against a running server and prints every MUST/SHOULD/MAY result.
//
//   cd examples/graphql-http && npm install && URL=http://127.0.0.1:8080/graphql node audit.mjs
//
// Exit code 1 when a MUST fails.
import { serverAudits } from 'graphql-http';

const url = process.env.URL ?? 'http://127.0.0.1:8080/graphql';
const counts = {};
let mustFailed = false;
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  const level = audit.name.split(' ')[0];
  counts[level] ??= { ok: 0, total: 0 };
  counts[level].total += 1;
  if (result.status === 'ok') {
    counts[level].ok += 1;
  } else {
    if (level === 'MUST') mustFailed = true;
    console.log(`${result.status.toUpperCase()} ${audit.id} ${audit.name}: ${result.reason}`);
  }
}
for (const [level, { ok, total }] of Object.entries(counts)) {
  console.log(`${level}: ${ok} of ${total}`);
}
process.exit(mustFailed ? 1 : 0);
