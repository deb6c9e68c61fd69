// The discretion engine as an inspector uses it on a phone: pick a violation,
// give the illegal income and a circumstance, read the range and the reasons.
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
const port = 19000 + Math.floor(Math.random() * 1000);
const base = `http://127.0.0.1:${port}`;
let server, dir, browser, accounts;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weijian-e2e-rules-'));
  server = spawn(binary, ['demo', '--data', dir, '--listen', `127.0.0.1:${port}`], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  accounts = Object.fromEntries(
    readFileSync(join(dir, 'demo-accounts.tsv'), 'utf8').trim().split('\n').slice(1)
      .map((l) => l.split('\t')).map(([u, p]) => [u, p]),
  );
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

test('an inspector computes a discretion range on a phone', async () => {
  const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', 'sd_inspector1');
  await page.fill('input[name=password]', accounts.sd_inspector1);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/`);
  await page.click('nav.main >> text=裁量基准');
  await page.selectOption('select[name=violation]', 'MCH-001');
  await page.fill('input[name=illegal_income]', '8000');
  await page.check('input[name=circumstance][value=cooperative]');
  await page.click('#engine button[type=submit]');
  const result = await page.textContent('#result');
  assert.match(result, /24000\.00元至40000\.00元/);
  assert.match(result, /从轻处罚/);
  assert.match(result, /24000\.00元至28800\.00元/);
  assert.match(result, /第四十条/);
  // The catalog reads on a phone too.
  await page.fill('input[name=q]', '代孕');
  await page.click('form.search button');
  assert.match(await page.textContent('main'), /ART-003/);
});
