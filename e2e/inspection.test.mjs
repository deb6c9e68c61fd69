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

// The value of the option of `select` whose text names `who`.
async function optionNaming(page, select, who) {
  return page.$eval(select, (s, w) => [...s.options].find((o) => o.text.includes(w)).value, who);
}

test('a chief assigns a patrol task and a campaign by attribute; the inspector records on a phone', async () => {
  const chief = await phoneSignedIn(demo, 'zq_chief');
  // 新建检查任务 from the task list: find a clinic, assign 日常巡查 to 张卫东 and 刘晓燕.
  await chief.click('nav.main >> text=检查任务');
  await chief.click('a:has-text("新建检查任务")');
  await chief.fill('input[name=q]', '诊所');
  await chief.click('main form button[type=submit]');
  const link = chief.locator('main ul a').first();
  const entity = (await link.textContent()).trim();
  await link.click();
  await chief.selectOption('select[name=source]', 'patrol');
  await chief.selectOption('select[name=inspector1]', await optionNaming(chief, 'select[name=inspector1]', '张卫东'));
  await chief.selectOption('select[name=inspector2]', await optionNaming(chief, 'select[name=inspector2]', '刘晓燕'));
  const due = new Date(Date.now() + 7 * 86400000).toISOString().slice(0, 10);
  await chief.fill('input[name=due_on]', due);
  await chief.click('main form[method=post] button[type=submit]');
  await chief.waitForURL(/\/tasks\/[0-9a-f-]{36}$/);

  // A 专项检查 of the unrated (未定级) medical institutions, its tasks generated.
  await chief.click('nav.main >> text=专项检查');
  await chief.fill('input[name=name]', '未定级医疗机构依法执业专项检查');
  await chief.selectOption('select[name=specialty]', 'medical_services');
  await chief.selectOption('select[name=category]', 'medical_institution');
  await chief.selectOption('select[name=attribute]', 'level=未定级');
  const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
  await chief.fill('input[name=starts_on]', today);
  await chief.fill('input[name=ends_on]', due);
  await chief.click('main form button[type=submit]');
  await chief.waitForURL(/\/inspection-campaigns\/[0-9a-f-]{36}$/);
  assert.match(await chief.textContent('main'), /医疗机构（级别：未定级）/);
  const targets = Number((await chief.textContent('#target-count')).match(/\d+/)[0]);
  assert.ok(targets > 0, 'the demo has unrated medical institutions');
  await chief.selectOption('select[name=inspector1]', await optionNaming(chief, 'select[name=inspector1]', '张卫东'));
  await chief.selectOption('select[name=inspector2]', await optionNaming(chief, 'select[name=inspector2]', '刘晓燕'));
  await chief.click('form[action$="/tasks"] button[type=submit]');
  await chief.waitForSelector('p.alert');
  assert.match(await chief.textContent('p.alert'), new RegExp(`已生成 ${targets} 个检查任务`));
  const campaignTask = (await chief.locator('table.list tbody a').first().textContent()).trim();

  // The inspector, on the phone, finds both in the task list and records the patrol.
  const page = await phoneSignedIn(demo, 'zq_inspector1');
  await page.click('nav.main >> text=检查任务');
  const list = await page.textContent('main');
  assert.match(list, /日常巡查/);
  assert.match(list, /专项检查/);
  assert.ok(list.includes(campaignTask), `the campaign's task for ${campaignTask} is listed`);
  await page.click(`ul.cards li:has-text("日常巡查") a:has-text("${entity}")`);
  await page.waitForSelector('form#record');
  const passes = page.locator('form#record input[type=radio][value=pass]');
  for (let i = 0; i < (await passes.count()); i++) await passes.nth(i).check();
  await page.selectOption('select[name=party_signature]', 'refused');
  await page.selectOption('select[name=outcome]', 'qualified');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scrolling on a phone (page is ${width}px wide)`);
  await page.click('form#record button[type=submit]');
  await page.waitForURL(/\/entities\//);
  assert.match(await page.textContent('main'), /合格/);
});
