// The agent console in a real headless Chromium (Debian's package, driven by playwright-core; no
// browser download), against the real suite: two agents on different gateway nodes chat, one goes
// offline (its browser context closed), messages sent meanwhile appear when it returns, and
// presence follows. Screenshots go to e2e/artifacts/.
//
// Run with `npm run test:suite` (starts the suite), or `npm run test:e2e` with
// SWITCHBOARD_SUITE_GATEWAYS=http://127.0.0.1:8081,http://127.0.0.1:8082 for a suite already running.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const gateways = (process.env.SWITCHBOARD_SUITE_GATEWAYS ?? '').split(',').filter(Boolean);
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const WAIT = 20_000;

let skip;
if (gateways.length < 2) {
  skip = 'needs a running suite with two gateway nodes: run `npm run test:suite` in clients/';
} else if (!existsSync(executablePath) && !process.env.CI) {
  // In CI a missing browser is a failure (.ci/run installs it), not a skip.
  skip = `no Chromium at ${executablePath}: apt-get install chromium (or set CHROMIUM_PATH)`;
}

const run = randomBytes(3).toString('hex');
const alice = `alice-${run}`;
const bob = `bob-${run}`;

describe('agent console in Chromium', { skip }, () => {
  let browser;

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch({
      executablePath,
      // Root in CI containers has no user namespaces for Chromium's sandbox; the machine has no
      // network beyond loopback, so Chromium's own background traffic is turned off.
      args: [
        '--no-sandbox',
        '--disable-dev-shm-usage',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
  });

  async function agent(name, gateway, storageState) {
    const context = await browser.newContext({ viewport: { width: 1000, height: 640 }, storageState });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${gateways[gateway]}/console/`);
    await page.getByLabel('User name').fill(name);
    await page.getByLabel('User name').press('Enter');
    await page.locator('#status[data-state="open"]').waitFor({ timeout: WAIT });
    return { context, page, problems };
  }

  async function openChat(page, contact) {
    const existing = page.locator(`#contacts li[data-user="${contact}"] button`);
    if ((await existing.count()) > 0) {
      await existing.click();
    } else {
      await page.getByLabel('Add a contact').fill(contact);
      await page.getByLabel('Add a contact').press('Enter');
    }
    await page.getByRole('heading', { name: `Chat with ${contact}` }).waitFor({ timeout: WAIT });
  }

  async function say(page, text) {
    await page.getByLabel('Message').fill(text);
    await page.getByLabel('Message').press('Enter');
    // Acknowledged by the server: stored, so it can no longer be lost.
    await page.locator('#messages li[data-dir="out"][data-state="sent"]', { hasText: text }).waitFor({ timeout: WAIT });
  }

  async function sees(page, text) {
    await page.locator('#messages li[data-dir="in"]', { hasText: text }).waitFor({ timeout: WAIT });
  }

  function presenceOf(page, contact, online) {
    return page.locator(`#contacts li[data-user="${contact}"][data-online="${online}"]`).waitFor({ timeout: WAIT });
  }

  it('two agents on different nodes chat; the one who was away gets the messages on return', async () => {
    const a = await agent(alice, 0);
    let b = await agent(bob, 1);
    assert.equal(await b.page.locator('#status').getAttribute('data-resume'), 'true', 'the server resumes sessions');

    await openChat(a.page, bob);
    await openChat(b.page, alice);
    await presenceOf(a.page, bob, true);
    await presenceOf(b.page, alice, true);

    await say(a.page, 'Hello Bob, Alice here on node gw-1.');
    await sees(b.page, 'Hello Bob, Alice here on node gw-1.');
    await say(b.page, 'Hi Alice! Bob on gw-2.');
    await sees(a.page, 'Hi Alice! Bob on gw-2.');
    await a.page.screenshot({ path: join(artifacts, '1-alice-chatting.png') });
    await b.page.screenshot({ path: join(artifacts, '2-bob-chatting.png') });

    // Bob closes his browser. What it kept (device id, last seq, history) comes back with him.
    const kept = await b.context.storageState();
    await b.context.close();
    await presenceOf(a.page, bob, false);
    await a.page.screenshot({ path: join(artifacts, '3-alice-sees-bob-offline.png') });

    await say(a.page, 'Are you there, Bob?');
    await say(a.page, 'Call me when you are back.');

    b = await agent(bob, 1, kept);
    await presenceOf(a.page, bob, true);
    const unread = b.page.locator(`#contacts li[data-user="${alice}"] .unread`);
    await unread.waitFor({ timeout: WAIT });
    assert.equal(await unread.textContent(), '2', 'two new messages waiting for Bob');
    await openChat(b.page, alice);
    await sees(b.page, 'Call me when you are back.');

    const incoming = await b.page.locator('#messages li[data-dir="in"] .text').allTextContents();
    assert.deepEqual(incoming, ['Hello Bob, Alice here on node gw-1.', 'Are you there, Bob?', 'Call me when you are back.'],
      'each message once, in order, the earlier one from history');
    const away = b.page.locator('#messages li[data-dir="in"]', { hasText: 'arrived while you were offline' });
    assert.equal(await away.count(), 2);
    await b.page.screenshot({ path: join(artifacts, '4-bob-back-with-missed-messages.png') });
    await a.page.screenshot({ path: join(artifacts, '5-alice-sees-bob-online.png') });

    assert.deepEqual([...a.problems, ...b.problems], [], 'no script errors in the pages');
    await a.context.close();
    await b.context.close();
  });

  it('shows the connection state and is usable by keyboard alone', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${gateways[0]}/console/`);
    assert.equal(await page.locator('#status').getAttribute('role'), 'status');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-user', 'focus starts in the name field');
    await page.keyboard.type(`carol-${run}`);
    await page.keyboard.press('Enter');
    await page.locator('#status[data-state="open"]').waitFor({ timeout: WAIT });
    assert.equal(await page.locator('#status').textContent(), 'Online');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'contact-name');
    await page.keyboard.type(alice);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'message-text');
    assert.equal(await page.locator('#messages').getAttribute('aria-live'), 'polite');
    await context.close();
  });
});
