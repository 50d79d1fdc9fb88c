// Shared documents end to end, inside the channel test's T2 channel: Bilal and Chloé co-draft a
// local action plan in their browsers while Dana's Java device (the `chat` process, which keeps
// its MLS state) sets an activity's status; all three converge on the same content. Bilal makes
// a word bold (Chloé sees it bold; Java still reads plain text) and renames the plan (Chloé's
// list and Java's follow). Called from channels.mjs while all three are members.
import assert from 'node:assert/strict';
import { join } from 'node:path';

export const DOCUMENT_TITLE = 'Tirana local action plan 2027';
const TITLE = DOCUMENT_TITLE;
const RENAMED = `${TITLE} – draft 2`;
// Markers for the stored-plaintext check at the end of the run (run.mjs scans the store's file).
export const DOCUMENT_MARKERS = ['Youth centres report recruitment online', 'Recruitment through gaming chats'];

const region = (page, name) => page.getByRole('region', { name, exact: true });

async function openDocumentsTab(page) {
  await page.getByRole('tab', { name: 'Documents' }).click();
  await page.getByRole('heading', { name: 'Documents', level: 2 }).waitFor();
}

async function openDocument(page) {
  await openDocumentsTab(page);
  await page.getByRole('button', { name: TITLE }).click();
  await page.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
}

/** Types like a person (each key an input event), so edits go through the splice path. */
async function typeInto(locator, text) {
  await locator.click();
  await locator.press('End');
  await locator.pressSequentially(text, { delay: 15 });
}

const synced = (page) => page.locator('.doc-status[data-status="synced"]').waitFor({ timeout: 30_000 });

export async function documentSteps({ bilal, chloe, dana, channelId, screenshots, axe }) {
  // Bilal creates the plan from the template.
  await openDocumentsTab(bilal);
  await bilal.getByRole('button', { name: 'New document' }).click();
  await bilal.getByRole('radio', { name: /Local action plan/ }).check();
  await bilal.getByLabel('Title', { exact: true }).fill(TITLE);
  await bilal.getByRole('button', { name: 'Create document' }).click();
  await bilal.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
  await synced(bilal);

  // Chloé sees it in her list (a document-created frame) and opens it.
  await openDocument(chloe);

  // Both type at once into different fields; each sees the other's text.
  await Promise.all([
    typeInto(region(bilal, 'Context').getByLabel('Summary', { exact: true }), DOCUMENT_MARKERS[0]),
    typeInto(region(chloe, 'Risks').getByLabel('Title, row 1'), DOCUMENT_MARKERS[1]),
  ]);
  await expectValue(region(chloe, 'Context').getByLabel('Summary', { exact: true }), DOCUMENT_MARKERS[0]);
  await expectValue(region(bilal, 'Risks').getByLabel('Title, row 1'), DOCUMENT_MARKERS[1]);
  // Presence: each sees the other in the document.
  await bilal.locator('.doc-presence', { hasText: 'Chloé Martin' }).waitFor();

  // Dana's Java device lists, reads and changes the same document.
  dana.op({ op: 'doc-list', channelId });
  const listed = await dana.next((e) => e.event === 'documents' && e.channelId === channelId);
  const found = listed.documents.find((d) => d.title === TITLE);
  assert.ok(found, `the Java device lists the plan: ${JSON.stringify(listed.documents)}`);
  const documentId = found.id;
  const show = async () => {
    dana.op({ op: 'doc-show', channelId, documentId });
    return (await dana.next((e) => e.event === 'document' && e.documentId === documentId && !e.seen && (e.seen = true))).content;
  };
  let content = await show();
  const activityIds = Object.keys(content.activities ?? {});
  assert.equal(activityIds.length, 1, 'the template starts with one activity row');
  dana.op({ op: 'doc-set', channelId, documentId, path: `activities/${activityIds[0]}/status`, value: 'in-progress' });
  await dana.next((e) => e.event === 'document-saved' && e.documentId === documentId);
  for (const page of [bilal, chloe]) {
    await expectValue(region(page, 'Activities').getByLabel('Status, row 1'), 'in-progress');
  }
  await Promise.all([synced(bilal), synced(chloe)]);

  // Rich text: Bilal selects "recruitment" in the summary and makes it bold; Chloé sees it bold.
  const summary = region(bilal, 'Context').getByLabel('Summary', { exact: true });
  await summary.evaluate((el, word) => {
    el.focus();
    const at = el.value.indexOf(word);
    el.setSelectionRange(at, at + word.length);
  }, 'recruitment');
  await region(bilal, 'Context').getByRole('toolbar', { name: 'Formatting of Summary' }).getByRole('button', { name: 'Bold' }).click();
  await region(chloe, 'Context').locator('.rich-view strong', { hasText: 'recruitment' }).waitFor({ timeout: 30_000 });
  await Promise.all([synced(bilal), synced(chloe)]);

  // All three hold the same content: Java reads what the browsers typed (the bold word as plain
  // text), and both browsers' Markdown exports are identical, with the bold word in it.
  content = await show();
  assert.equal(content.context.summary, DOCUMENT_MARKERS[0]);
  assert.equal(Object.values(content.risks)[0].title, DOCUMENT_MARKERS[1]);
  assert.equal(content.activities[activityIds[0]].status, 'in-progress');
  const [fromBilal, fromChloe] = await Promise.all([markdownOf(bilal), markdownOf(chloe)]);
  assert.equal(fromBilal, fromChloe, 'both browsers export the same document');
  assert.ok(fromBilal.includes('Youth centres report **recruitment** online') && fromBilal.includes(DOCUMENT_MARKERS[1]));

  // Renaming: Bilal edits the title; a second later the header is re-sealed, and Chloé's list and
  // Dana's Java device show the new title.
  await typeInto(region(bilal, 'Overview').getByLabel('Title', { exact: true }), ' – draft 2');
  await chloe.getByRole('button', { name: '← All documents' }).click();
  await chloe.getByRole('button', { name: RENAMED }).waitFor({ timeout: 30_000 });
  dana.op({ op: 'doc-list', channelId });
  const relisted = await dana.next((e) => e.event === 'documents' && e.channelId === channelId && e.documents.some((d) => d.title === RENAMED));
  assert.ok(relisted, 'the Java device lists the new title');
  await chloe.getByRole('button', { name: RENAMED }).click();
  await chloe.getByRole('heading', { name: RENAMED, level: 1 }).waitFor();

  // A named version, seen by the other member.
  await bilal.getByRole('button', { name: 'Versions' }).click();
  await bilal.getByLabel(/Name of this version/).fill('Sent to the national coordinator');
  await bilal.getByRole('button', { name: 'Save version' }).click();
  await bilal.getByText('Sent to the national coordinator').first().waitFor();
  await chloe.getByRole('button', { name: 'Versions' }).click();
  await chloe.getByText('Sent to the national coordinator').first().waitFor();
  await chloe.getByRole('button', { name: 'Versions' }).click();
  await bilal.getByRole('button', { name: 'Versions' }).click();

  await assertNoSidewaysScroll(bilal, 'the action plan editor');
  if (screenshots) await bilal.screenshot({ path: join(screenshots, 'action-plan-en.png') });
  await axe('action plan editor', bilal);
  for (const page of [bilal, chloe]) await page.getByRole('tab', { name: 'Messages' }).click();
  return { documentId };
}

async function expectValue(locator, value) {
  for (let i = 0; i < 150; i++) {
    if ((await locator.inputValue().catch(() => null)) === value) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(await locator.inputValue(), value);
}

async function markdownOf(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download Markdown' }).click()]);
  const chunks = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Wide tables scroll inside their section; the page itself never scrolls sideways. */
export async function assertNoSidewaysScroll(page, what) {
  const { scroll, width, wide } = await page.evaluate(() => {
    const width = window.innerWidth;
    // The outermost elements that stick out, to name the culprit in the failure.
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => { const r = e.getBoundingClientRect(); return r.right > width + 1 || r.left < -1; })
      .filter((e) => !e.parentElement?.closest('*') || ![...document.querySelectorAll('body *')].includes(e.parentElement) || (() => { const r = e.parentElement.getBoundingClientRect(); return !(r.right > width + 1 || r.left < -1); })())
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} [${Math.round(e.getBoundingClientRect().left)}, ${Math.round(e.getBoundingClientRect().right)}]`);
    return { scroll: document.documentElement.scrollWidth, width, wide };
  });
  // The residual once seen here (visually hidden labels in a table's far cells escaping its scroller)
  // is gone: the scroller is their containing block now. 1 px for rounding.
  assert.ok(scroll <= width + 1, `${what} scrolls sideways: ${scroll} px of content in a ${width} px window; sticking out: ${wide.join(', ')}`);
}
