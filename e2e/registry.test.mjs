// The registry on a phone: search the entities, open an entity file (一户一档),
// register a new entity and see its licence warning.
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
  dir = mkdtempSync(join(tmpdir(), 'weijian-e2e-registry-'));
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

test('an inspector finds an entity file and registers a new entity on a phone', async () => {
  const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', 'zq_inspector1');
  await page.fill('input[name=password]', accounts.zq_inspector1);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/`);
  assert.match(await page.textContent('main'), /需要关注/);
  await page.click('nav.main >> text=监管对象');
  // A two-character word finds entities; the list reads as cards on a phone.
  await page.fill('input[name=q]', '卫生院');
  await page.click('form.filters button[type=submit]');
  const first = page.locator('table.list tbody tr a').first();
  const name = await first.textContent();
  assert.match(name, /卫生院/);
  await first.click();
  await page.waitForSelector('h1');
  assert.match(await page.textContent('h1'), /一户一档/);
  assert.match(await page.textContent('main'), /许可证/);
  assert.match(await page.textContent('main'), /监督检查/);

  // Register a 公共场所 without a licence: the file warns at once.
  await page.goto(`${base}/entities/new?category=public_place`);
  await page.fill('input[name=name]', '枣强县测试宾馆');
  await page.fill('input[name=uscc_exemption]', '个体经营者');
  await page.selectOption('select[name="attr.place_type"]', '住宿');
  await page.fill('input[name=address]', '枣强县城关镇中山路8号');
  await page.click('form.stack button[type=submit]');
  await page.waitForSelector('h1');
  assert.match(await page.textContent('h1'), /枣强县测试宾馆/);
  assert.match(await page.textContent('main'), /正常经营但无有效的公共场所卫生许可证/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling on a phone (page is ${width}px wide)`);
});
