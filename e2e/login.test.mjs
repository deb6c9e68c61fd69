// The demo as a person uses it: sign in through the browser UI on a desktop and
// on a phone, see the home page of one's jurisdiction, and be refused another's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = process.env.WEIJIAN_BIN || join(root, 'target', 'debug', 'weijian');
const port = 18000 + Math.floor(Math.random() * 1000);
const base = `http://127.0.0.1:${port}`;
let server, dir, browser, accounts;

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('weijian demo did not start');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weijian-e2e-'));
  server = spawn(binary, ['demo', '--data', dir, '--listen', `127.0.0.1:${port}`], { stdio: 'ignore' });
  await waitForServer();
  accounts = Object.fromEntries(
    readFileSync(join(dir, 'demo-accounts.tsv'), 'utf8').trim().split('\n').slice(1)
      .map((l) => l.split('\t')).map(([u, p]) => [u, p]),
  );
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

for (const [device, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
  test(`a county inspector signs in on a ${device}`, async () => {
    const page = await (await browser.newContext({ viewport })).newPage();
    await page.goto(`${base}/`);
    await page.fill('input[name=username]', 'zq_inspector1');
    await page.fill('input[name=password]', accounts.zq_inspector1);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/`);
    const body = await page.textContent('body');
    assert.match(body, /您好，张卫东/);
    assert.match(body, /枣强县（131127）/);
    assert.match(body, /监督员/);
    await page.click('nav.main >> text=组织机构');
    assert.match(await page.textContent('main'), /枣强县卫生监督所/);
    assert.doesNotMatch(await page.textContent('main'), /海口/);
    // Signing out ends the session: the home page asks to sign in again.
    await page.click('text=退出');
    await page.waitForURL(`${base}/login`);
    const res = await page.goto(`${base}/`);
    assert.equal(res.status(), 401);
  });
}

test('a wrong password is refused with a reason', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', 'hk_leader');
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.alert'), /用户名或密码错误/);
});
