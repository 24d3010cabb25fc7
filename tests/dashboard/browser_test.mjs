#!/usr/bin/env node
// End-to-end test of the dashboard in a real browser: starts `strata up` on the example fleet,
// opens the page in headless Chromium (playwright-core), commits a new Kafka cluster to the work
// tree and watches it move to Ready on the page without a reload, then walks the cluster, change
// and rollout views. Saves a screenshot of each view to --out.
//
//   node tests/dashboard/browser_test.mjs --strata build/strata --out /tmp/shots [--timeout 180]
//
// Chromium: /usr/bin/chromium, or $CHROMIUM. Exit 0 on pass; 1 with the reason on failure. The
// strata process is always stopped (SIGINT, SIGKILL after 10 s) and the temporary home removed.
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {chromium} from 'playwright-core';

const NEW_CLUSTER = 'KafkaCluster/acme/dash-e2e';
const NEW_FILE = 'tenants/acme/kafka/dash-e2e.yaml';

function parseArgs(argv) {
  const args = {timeout: 180};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!['strata', 'out', 'timeout'].includes(name) || argv[i + 1] === undefined) {
      throw new Error(`usage: browser_test.mjs --strata <binary> --out <dir> [--timeout seconds]; bad argument ${argv[i]}`);
    }
    args[name] = argv[i + 1];
  }
  if (!args.strata || !args.out) throw new Error('usage: browser_test.mjs --strata <binary> --out <dir> [--timeout seconds]');
  args.strata = path.resolve(args.strata);
  args.out = path.resolve(args.out);
  args.timeout = Number(args.timeout);
  return args;
}

const started = Date.now();
function log(message) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}`);
}

// Everything that must go away however the run ends.
const state = {strata: null, strataExit: null, browser: null, home: null, output: []};

async function stopStrata() {
  const child = state.strata;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const exited = await Promise.race([state.strataExit.then(() => true), sleep(10000).then(() => false)]);
  if (!exited) {
    log('strata did not stop within 10 s of SIGINT: SIGKILL');
    child.kill('SIGKILL');
    await state.strataExit;
  }
}

let cleaned = null;
function cleanup() {
  cleaned ??= (async () => {
    if (state.browser) await state.browser.close().catch(() => {});
    await stopStrata().catch(() => {});
    if (state.home) fs.rmSync(state.home, {recursive: true, force: true});
  })();
  return cleaned;
}

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

async function waitFor(what, seconds, probe) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  for (;;) {
    last = await probe();
    if (last && last.ok) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${seconds} s waiting for ${what}${last && last.seen !== undefined ? `; last seen: ${JSON.stringify(last.seen)}` : ''}`);
    }
    await sleep(200);
  }
}

// Starts strata and resolves with the dashboard URL and the work tree from its guide.
function startStrata(binary, home) {
  const args = ['up', '--home', home, '--port', '0', '--dashboard-port', '0', '--sim-time-scale', '1'];
  log(`starting ${binary} ${args.join(' ')}`);
  const child = spawn(binary, args, {stdio: ['ignore', 'pipe', 'pipe']});
  state.strata = child;
  state.strataExit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({code, signal})));
  return new Promise((resolve, reject) => {
    const found = {};
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => state.output.push(text));
    child.stdout.on('data', (text) => {
      state.output.push(text);
      buffer += text;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith('  dashboard')) found.url = line.trim().split(/\s+/)[1];
        if (line.startsWith('  work tree')) found.workTree = line.replace(/^\s*work tree\s+/, '').trim();
        if (found.url && found.workTree) resolve(found);
      }
    });
    child.once('error', reject);
    state.strataExit.then(({code, signal}) => reject(new Error(
      `strata exited (${signal || `code ${code}`}) before it printed its dashboard and work tree lines`)));
  });
}

function git(workTree, ...args) {
  return execFileSync('git', ['-C', workTree, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {...process.env, GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@example.com',
          GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e2e@example.com'},
  }).trim();
}

// A dedicated cluster shaped like the example's acme/orders, without its private network.
function commitNewCluster(workTree) {
  const example = fs.readFileSync(path.join(workTree, 'tenants/acme/kafka/orders.yaml'), 'utf8');
  const yaml = example.split('\n').filter((line) => !/^\s*network:/.test(line)).join('\n')
    .replace(/^(\s*)name: orders$/m, '$1name: dash-e2e');
  if (!/^\s*name: dash-e2e$/m.test(yaml)) throw new Error('tenants/acme/kafka/orders.yaml has no "name: orders" line to copy');
  fs.writeFileSync(path.join(workTree, NEW_FILE), yaml);
  git(workTree, 'add', NEW_FILE);
  git(workTree, '-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', 'commit', '-qm', 'acme/dash-e2e: a new dedicated cluster');
  // The controllers push to the same branch: a push can lose the race, so rebase and go again.
  let lastError;
  for (let attempt = 0; attempt < 6; attempt++) {
    try {
      git(workTree, 'pull', '-q', '--rebase');
      git(workTree, 'push', '-q');
      return git(workTree, 'rev-parse', 'HEAD');
    } catch (e) {
      lastError = e;
      execFileSync('sleep', ['0.5']);
    }
  }
  throw new Error(`cannot push the new cluster: ${lastError.stderr || lastError.message}`);
}

async function screenshot(page, out, name) {
  // From the top: a full-page shot of a scrolled page draws the sticky top bar mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({path: path.join(out, name), fullPage: true});
  log(`saved ${name}`);
}

async function phaseCounts(page) {
  return page.evaluate(() => {
    const counts = {};
    for (const card of document.querySelectorAll('[data-testid="phase-card"]')) counts[card.dataset.phase] = Number(card.dataset.count);
    return counts;
  });
}

async function run(args) {
  fs.mkdirSync(args.out, {recursive: true});
  state.home = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-dashboard-e2e-'));
  const {url, workTree} = await startStrata(args.strata, path.join(state.home, 'up'));
  log(`dashboard ${url}; work tree ${workTree}`);

  state.browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox']});
  const page = await state.browser.newPage({viewport: {width: 1440, height: 900}});
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium logs every non-2xx answer. A 503 is the server saying it has not read the fleet
    // yet (right after start); the page shows it and tries again, so it is no fault of the page.
    if (/Failed to load resource: .* status of 503/.test(message.text())) {
      log(`tolerated: ${message.text()} (${message.location().url})`);
      return;
    }
    problems.push(`console error: ${message.text()} (${message.location().url || 'no url'})`);
  });

  // 2. The example fleet settles to Ready.
  await page.goto(url);
  const settled = await waitFor('the example fleet to be all Ready on the fleet page', 60, async () => {
    const counts = await phaseCounts(page);
    return {ok: counts.Ready > 0 && !counts.Pending && !counts.Provisioning && !counts.Applying, seen: counts};
  });
  log(`fleet settled: ${JSON.stringify(settled.seen)}`);
  await page.evaluate(() => { window.__strataE2e = 'same page'; });
  await screenshot(page, args.out, 'fleet.png');

  // 3 and 4. Search first, so the page is watching when the push lands: the row must come in
  // through live updates, not through a reload.
  const search = page.locator('[data-testid="search"]');
  await search.click();
  await search.pressSequentially('dash-e2e', {delay: 20});
  const sha = commitNewCluster(workTree);
  log(`pushed ${NEW_FILE} as ${sha}`);
  const phases = [];
  const rowPhase = () => page.evaluate((key) => {
    const row = [...document.querySelectorAll('[data-testid="cluster-row"]')].find((r) => r.dataset.key === key);
    const phase = row && row.querySelector('[data-testid="phase"]');
    return phase ? phase.textContent : null;
  }, NEW_CLUSTER);
  const deadline = Date.now() + 60000;
  for (;;) {
    const phase = await rowPhase();
    if (phase && phases[phases.length - 1] !== phase) {
      phases.push(phase);
      log(`row ${NEW_CLUSTER}: ${phase}`);
    }
    if (phase === 'Ready') break;
    if (Date.now() > deadline) {
      throw new Error(`${NEW_CLUSTER} did not become Ready on the fleet page within 60 s; phases seen: ${JSON.stringify(phases)}`);
    }
    await sleep(100);
  }
  if (phases[0] === 'Ready') {
    throw new Error(`${NEW_CLUSTER} was Ready when it first appeared: the page showed none of its way there`);
  }
  const samePage = await page.evaluate(() => ({
    marker: window.__strataE2e, navigations: performance.getEntriesByType('navigation').length,
    focus: document.activeElement && document.activeElement.dataset.testid, search: document.querySelector('[data-testid="search"]').value}));
  if (samePage.marker !== 'same page' || samePage.navigations !== 1) {
    throw new Error(`the page reloaded while the cluster came up: ${JSON.stringify(samePage)}`);
  }
  if (samePage.focus !== 'search' || samePage.search !== 'dash-e2e') {
    throw new Error(`live updates lost the search box's focus or text: ${JSON.stringify(samePage)}`);
  }
  log(`phases seen on the fleet page: ${phases.join(' → ')}`);
  await screenshot(page, args.out, 'fleet-search.png');

  // 5. The cluster view: its layer cake and the commit in its history.
  const row = page.locator(`[data-testid="cluster-row"][data-key="${NEW_CLUSTER}"]`);
  await row.locator('[data-testid="cluster-link"]').click();
  await waitFor('the physical box Ready and the new commit in the history of the cluster view', 40, async () => {
    const seen = await page.evaluate((commit) => {
      const physical = document.querySelector('[data-testid="layer-box"][data-layer="physical"] [data-testid="phase"]');
      const entries = [...document.querySelectorAll('[data-testid="history-entry"]')].map((e) => e.dataset.commit);
      return {route: location.hash, physical: physical && physical.textContent, history: entries.includes(commit)};
    }, sha);
    return {ok: seen.physical === 'Ready' && seen.history, seen};
  });
  await screenshot(page, args.out, 'cluster.png');

  // 6. The change view: live on every satellite.
  await page.evaluate((commit) => { location.hash = `#/change/${commit}`; }, sha);
  const verdict = await waitFor('the change view to say the commit is live on all satellites', 40, async () => {
    const seen = await page.evaluate(() => {
      const node = document.querySelector('[data-testid="change-verdict"]');
      return node && {state: node.dataset.state, text: node.textContent};
    });
    return {ok: seen && seen.state === 'live' && /Live on (all \d+ satellites|its one satellite)/.test(seen.text), seen};
  });
  log(`change verdict: ${verdict.seen.text}`);
  await screenshot(page, args.out, 'change.png');

  // 7. Rollouts, and the example's rollout wave by wave.
  await page.evaluate(() => { location.hash = '#/rollouts'; });
  await waitFor('the rollouts view', 20, async () => {
    const seen = await page.evaluate(() => document.querySelector('[data-testid="rollout-table"], .rollouts .empty-note') !== null);
    return {ok: seen};
  });
  await screenshot(page, args.out, 'rollouts.png');
  const rollouts = fs.existsSync(path.join(workTree, 'rollouts'))
    ? fs.readdirSync(path.join(workTree, 'rollouts')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''))
    : [];
  if (rollouts.length) {
    const name = rollouts[0];
    await waitFor(`rollout ${name} in the rollouts list`, 20, async () => ({
      ok: await page.locator(`[data-testid="rollout-row"][data-name="${name}"]`).count() > 0}));
    await page.locator(`[data-testid="rollout-row"][data-name="${name}"] [data-testid="rollout-link"]`).click();
    await waitFor(`a wave bar of rollout ${name}`, 30, async () => {
      const seen = await page.evaluate(() => ({
        waves: document.querySelectorAll('[data-testid="wave"] [data-testid="wave-bar"]').length,
        message: (document.querySelector('[data-testid="not-started"], [data-testid="view-error"]') || {}).textContent}));
      return {ok: seen.waves > 0, seen};
    });
    await screenshot(page, args.out, 'rollout.png');
  }

  // 8. Nothing went wrong in the page on the way.
  if (problems.length) throw new Error(`the page reported errors:\n  ${problems.join('\n  ')}`);
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      console.error(`FAIL: interrupted by ${signal}`);
      await cleanup();
      process.exit(1);
    });
  }
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the whole run took longer than ${args.timeout} s`)), args.timeout * 1000);
  });
  try {
    await Promise.race([run(args), timeout]);
    clearTimeout(timer);
    await cleanup();
    log(`PASS: screenshots in ${args.out}`);
    console.log('1 passed, 0 failed');
    process.exit(0);
  } catch (e) {
    clearTimeout(timer);
    console.error(`FAIL: ${e.message}`);
    const output = state.output.join('');
    if (output) {
      fs.mkdirSync(args.out, {recursive: true});
      fs.writeFileSync(path.join(args.out, 'strata.log'), output);
      console.error(`strata's output is in ${path.join(args.out, 'strata.log')}; its last lines:\n${output.split('\n').slice(-15).join('\n')}`);
    }
    await cleanup();
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

main();
