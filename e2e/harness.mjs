// Starts the demo server on a random port with a fresh data directory, reads
// its accounts, and launches Debian's Chromium; `stop` undoes all of it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function startDemo(name) {
  const binary = process.env.WEIJIAN_BIN || join(root, 'target', 'debug', 'weijian');
  const port = 19000 + Math.floor(Math.random() * 1000);
  const base = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), `weijian-e2e-${name}-`));
  const server = spawn(binary, ['demo', '--data', dir, '--listen', `127.0.0.1:${port}`], { stdio: 'ignore' });
  for (let i = 0; i < 150; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  const accounts = Object.fromEntries(
    readFileSync(join(dir, 'demo-accounts.tsv'), 'utf8').trim().split('\n').slice(1)
      .map((l) => l.split('\t')).map(([u, p]) => [u, p]),
  );
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
  const stop = async () => {
    await browser?.close();
    server?.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  return { base, accounts, browser, stop };
}

/// A phone-sized page signed in as `username`, on the home page.
export async function phoneSignedIn(demo, username) {
  const page = await (await demo.browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await page.goto(`${demo.base}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', demo.accounts[username]);
  await page.click('button[type=submit]');
  await page.waitForURL(`${demo.base}/`);
  return page;
}
