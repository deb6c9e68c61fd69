// The discretion engine as an inspector uses it on a phone: pick a violation,
// give the illegal income and a circumstance, read the range and the reasons.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, phoneSignedIn } from './harness.mjs';

let demo, base;

before(async () => {
  demo = await startDemo('rules');
  base = demo.base;
});

after(async () => {
  await demo?.stop();
});

test('an inspector computes a discretion range on a phone', async () => {
  const page = await phoneSignedIn(demo, 'sd_inspector1');
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
