// Drives the GraphiQL page of a running timekeeping server in headless Chromium, as a person
// would: logs in (examples/01-login.graphql), opens /graphql, puts the token into GraphiQL's
// Headers tab, runs the README's first query, waits for its result and saves a screenshot; then
// runs a subscription over graphql-ws and waits for it too. Every request the page makes to
// another host is blocked and recorded, and any such request fails the check, as does a script
// error or a Content-Security-Policy violation on the page.
//
//   npm ci && node check.mjs [BASE_URL]     # BASE_URL (argument or env): http://127.0.0.1:8080
//
// Env: EMAIL, PASSWORD (the demo's login by default), OUT (screenshot, graphiql.png; the
// subscription's is saved next to it as …-subscription.png), CHROMIUM (/usr/bin/chromium:
// Debian's, `apt-get install -y chromium`), TIMEOUT_MS (30000 per step).
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const base = new URL(process.argv[2] || process.env.BASE_URL || 'http://127.0.0.1:8080');
const email = process.env.EMAIL || 'admin@demo.local';
const password = process.env.PASSWORD || 'demo-password';
const out = process.env.OUT || 'graphiql.png';
const subscriptionOut = out.replace(/(\.png)?$/, '-subscription.png');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const timeout = Number(process.env.TIMEOUT_MS || 30000);

// The README's first query (its "two commands" section).
const README_QUERY =
  '{ employees { totalCount } syncJobs { edges { node { status succeeded failed } } } ' +
  'checkins(filter: { from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z" }) { totalCount } }';

/** POSTs a GraphQL operation from this script (not the browser) and returns `data`. */
async function graphql(query, variables, token) {
  const response = await fetch(new URL('/graphql', base), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Replaces the text of a CodeMirror editor the way typing would (focus, select all, insert). */
async function typeInto(page, selector, text) {
  await page.locator(`${selector} .CodeMirror`).first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
}

/** Runs the query editor's operation; with `field`, waits for a result with `data[field]` or errors. */
async function run(page, field) {
  await page.getByRole('button', { name: /^Execute query/ }).click();
  if (!field) return null;
  const handle = await page.waitForFunction(
    (field) => {
      const text = document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror?.getValue();
      try {
        const result = JSON.parse(text);
        return result.errors || result.data?.[field] ? result : null;
      } catch {
        return null;
      }
    },
    field,
    { timeout },
  );
  return handle.jsonValue();
}

async function main() {
  const operation = await readFile(new URL('../01-login.graphql', import.meta.url), 'utf8');
  const { login } = await graphql(operation, { email, password });
  console.log(`logged in as ${email} (${login.user.role})`);

  const foreign = [];
  const problems = [];
  const sameServer = (url) => new URL(url).host === base.host;
  const browser = await chromium.launch({ executablePath, headless: true });
  let failure = null;
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 800 } });
    context.setDefaultTimeout(timeout);
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (sameServer(url)) return route.continue();
      foreign.push(url);
      return route.abort('blockedbyclient');
    });
    await context.routeWebSocket(
      (url) => !sameServer(url.href),
      (ws) => {
        foreign.push(ws.url());
        ws.close();
      },
    );
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    const sockets = [];
    page.on('websocket', (ws) => {
      const frames = [];
      ws.on('framereceived', (f) => frames.push(String(f.payload)));
      sockets.push({ url: ws.url(), frames });
    });

    await page.goto(new URL('/graphql', base).href);
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    await page.getByRole('button', { name: 'Headers', exact: true }).click();
    await typeInto(
      page,
      '.graphiql-editor-tool .graphiql-editor:not(.hidden)',
      JSON.stringify({ Authorization: `Bearer ${login.token}` }),
    );
    await typeInto(page, '.graphiql-query-editor', README_QUERY);
    await page.getByRole('button', { name: /^Prettify query/ }).click();
    const result = await run(page, 'employees');
    await page.screenshot({ path: out });
    if (result.errors) throw new Error(`the query failed: ${JSON.stringify(result.errors)}`);
    console.log(`query result: ${JSON.stringify(result.data)}`);
    console.log(`screenshot: ${out}`);

    // A subscription: a sync job's progress answers its current state at once; without a job,
    // the check-in stream must at least be accepted (connection_ack on an authenticated socket).
    const { syncJobs } = await graphql('{ syncJobs { edges { node { id } } } }', {}, login.token);
    const job = syncJobs.edges[0]?.node.id;
    const subscription = job
      ? `subscription Progress { syncJobProgress(id: "${job}") { job { status total succeeded failed } } }`
      : 'subscription Checkins { checkinRecorded { capturedAt employee { fullName } } }';
    await typeInto(page, '.graphiql-query-editor', subscription);
    // GraphiQL tells a subscription (graphql-ws) from a query (HTTP) by the document it parses
    // after an edit; the tab taking the operation's name says that has happened.
    await page.locator('.graphiql-tab-button', { hasText: job ? 'Progress' : 'Checkins' }).waitFor();
    await page.getByRole('button', { name: /^Prettify query/ }).click();
    const event = await run(page, job && 'syncJobProgress');
    if (event?.errors) throw new Error(`the subscription failed: ${JSON.stringify(event.errors)}`);
    if (event) console.log(`subscription event: ${JSON.stringify(event.data)}`);
    const acked = () => sockets.some((s) => s.frames.some((f) => f.includes('connection_ack')));
    for (let waited = 0; !acked() && waited < timeout; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!acked()) throw new Error(`no graphql-ws connection_ack: ${JSON.stringify(sockets)}`);
    console.log(`graphql-ws: ${sockets.map((s) => s.url).join(', ')} acknowledged`);
    await page.screenshot({ path: subscriptionOut });
    console.log(`screenshot: ${subscriptionOut}`);
  } catch (e) {
    failure = e;
  } finally {
    await browser.close();
  }
  // A request to another host is reported even when it is what made a step time out.
  const reasons = [failure?.message, ...problems].filter(Boolean);
  if (foreign.length) reasons.unshift(`requests to other hosts (blocked): ${foreign.join(', ')}`);
  if (reasons.length) throw new Error(reasons.join('\n'));
  console.log(`graphiql OK: no request left ${base.host}`);
}

main().catch((e) => {
  console.error(`graphiql check FAILED: ${e.message}`);
  process.exit(1);
});
