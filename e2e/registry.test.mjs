// The registry on a phone: search the entities, open an entity file (一户一档),
// register a new entity and see its licence warning.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, phoneSignedIn } from './harness.mjs';

let demo, base;

before(async () => {
  demo = await startDemo('registry');
  base = demo.base;
});

after(async () => {
  await demo?.stop();
});

test('an inspector finds an entity file and registers a new entity on a phone', async () => {
  const page = await phoneSignedIn(demo, 'zq_inspector1');
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
