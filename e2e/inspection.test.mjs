// An inspection on a phone: an inspector opens a task, fills the checklist with
// a failed point, attaches a photo and saves; the institution then sees the
// rectification order on its home page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, phoneSignedIn } from './harness.mjs';

let demo;

// A 1×1 PNG, as a phone camera's picture stands in for.
const PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

before(async () => {
  demo = await startDemo('inspection');
});

after(async () => {
  await demo?.stop();
});

test('an inspector records a failed point with a photo; the institution sees the order', async () => {
  const page = await phoneSignedIn(demo, 'zq_inspector1');
  await page.click('nav.main >> text=检查任务');
  await page.waitForSelector('h1');
  assert.match(await page.textContent('h1'), /我的检查任务/);
  await page.click('ul.cards a:has-text("枣强县人民医院")');
  await page.waitForSelector('form#record');
  // The start is the moment the form opened (Beijing time); the end is left to the save.
  assert.match(await page.inputValue('input[name=started_at]'), /^\d{2}:\d{2}$/);
  assert.equal(await page.inputValue('input[name=ended_at]'), '');

  // A photo from the camera, uploaded at once and offered to the record.
  await page.setInputFiles('input[type=file]', { name: '现场.png', mimeType: 'image/png', buffer: PHOTO });
  await page.click('form[enctype="multipart/form-data"] button[type=submit]');
  await page.waitForSelector('form#record input[name=photo]');
  assert.match(await page.textContent('main'), /现场\.png/);

  // Every point 符合 but the first, 不符合 with a note.
  const passes = page.locator('form#record input[type=radio][value=pass]');
  for (let i = 0; i < (await passes.count()); i++) await passes.nth(i).check();
  await page.locator('form#record input[type=radio][value=fail]').first().check();
  await page.locator('form#record .point input:not([type])').first().fill('2名从业人员无健康合格证明');
  await page.selectOption('select[name=party_signature]', 'refused');
  await page.selectOption('select[name=outcome]', 'rectify');
  await page.fill('textarea[name=rect_content]', '组织从业人员体检，取得健康合格证明后上岗');
  await page.fill('input[name=rect_days]', '10');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling on a phone (page is ${width}px wide)`);
  await page.click('form#record button[type=submit]');
  await page.waitForURL(/\/entities\//);
  assert.match(await page.textContent('main'), /责令整改/);
  // The record's documents: its 现场笔录 is a PDF with its own number.
  const href = await page.getAttribute('a:has-text("现场笔录")', 'href');
  const pdf = await page.request.get(`${demo.base}${href}`);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.match(pdf.headers()['content-disposition'], /%E7%9B%91%E7%AC%94/, 'a 监笔 number');

  const institution = await phoneSignedIn(demo, 'zq_hospital');
  const home = await institution.textContent('main');
  assert.match(home, /整改通知/);
  assert.match(home, /组织从业人员体检/);
  // It reports its correction from there.
  await institution.fill('textarea[name=report]', '已组织全部从业人员体检，健康合格证明已取得');
  await institution.click('main form button[type=submit]');
  await institution.waitForURL(`${demo.base}/`);
  assert.match(await institution.textContent('main'), /已报告整改情况/);
});
