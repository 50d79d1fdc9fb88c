// @vitest-environment node
// The document views rendered for real (Preact into a jsdom document set up by hand, as in
// safety-panel.test.tsx) against LocalDocuments: real Automerge documents in memory, no network.
// @ts-expect-error jsdom ships no type declarations
import { JSDOM } from 'jsdom';
import * as A from '@automerge/automerge/slim';
import { render } from 'preact';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AnyDoc } from '../src/documents/model';
import { orderedRows } from '../src/documents/templates';
import { editText } from '../src/documents/ui/edits';
import { ChannelView } from '../src/channels/ChannelView';
import type { ChannelEngine } from '../src/channels/engine';
import type { ChannelView as View } from '../src/channels/model';
import { DocumentsPanel } from '../src/documents/ui/DocumentsPanel';
import { setLanguage, t, tf } from '../src/i18n';
import { LocalDocuments, loadAutomerge } from './local-documents';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
Object.assign(globalThis, { window: dom.window, document: dom.window.document, confirm: () => true });

const CHANNEL = 'c-mostar';
const ME = { userId: 'u-amina', name: 'Amina' };

async function until<T>(probe: () => T | null | undefined | false, what: string, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const settle = () => new Promise((r) => setTimeout(r, 20));

let root: HTMLElement;
let service: LocalDocuments;

beforeAll(loadAutomerge);
beforeEach(() => {
  root = document.createElement('main');
  document.body.append(root);
  service = new LocalDocuments(ME.userId);
});
afterEach(() => {
  render(null, root);
  root.remove();
  setLanguage('en', null);
});

// The directory names Elena; presence messages may claim any name and are not believed.
const DIRECTORY = new Map([['u-elena', { id: 'u-elena', displayName: 'Elena' }]]) as never;
const show = () => render(<DocumentsPanel service={service} channelId={CHANNEL} me={ME} users={DIRECTORY} />, root);
const button = (text: string) =>
  [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === text) as HTMLButtonElement | undefined;
const field = (path: string[]) => root.querySelector(`#doc-${path.join('-')}`) as HTMLInputElement & HTMLTextAreaElement;

function type(el: HTMLInputElement | HTMLTextAreaElement, value: string, caret = value.length) {
  el.focus();
  el.value = value;
  el.setSelectionRange(caret, caret);
  el.dispatchEvent(new dom.window.Event('input', { bubbles: true }));
}

function choose(el: HTMLSelectElement | HTMLInputElement, value: string) {
  el.value = value;
  el.dispatchEvent(new dom.window.Event('change', { bubbles: true }));
}

async function createPlan(title = 'Mostar 2027'): Promise<string> {
  show();
  await until(() => root.textContent?.includes(t('docs.none')), 'the empty list');
  button(t('docs.new'))!.click();
  await until(() => root.querySelector('input[name="template"]'), 'the template picker');
  const titleInput = [...root.querySelectorAll('label')].find((l) => l.textContent?.startsWith(t('docs.newTitle')))!
    .querySelector('input')!;
  type(titleInput, title);
  await settle();
  (root.querySelector('form.new-document') as HTMLFormElement).requestSubmit();
  await until(() => root.querySelector('#doc-title'), 'the editor');
  return [...service.docs.keys()][0];
}

const doc = (id: string) => service.docs.get(id)!.doc as AnyDoc;

describe('the document list', () => {
  it('lists a channel’s documents with template and creator, newest change first', async () => {
    await service.create(CHANNEL, 'small-grant', 'Youth sport grant');
    await service.create(CHANNEL, 'event-record', 'Training in Tirana');
    await service.create('c-other', 'blank', 'Not here');
    service.docs.get([...service.docs.keys()][0])!.summary.updatedAt = '2030-01-01T00:00:00Z';
    show();
    await until(() => root.querySelectorAll('tr[data-document]').length === 2, 'two rows');
    const rows = [...root.querySelectorAll('tr[data-document]')].map((r) => r.textContent);
    expect(rows[0]).toContain('Youth sport grant');
    expect(rows[0]).toContain(t('docs.template.small-grant'));
    expect(rows[0]).toContain('Amina');
    expect(rows[1]).toContain('Training in Tirana');
    expect(root.textContent).not.toContain('Not here');
  });

  it('shows a document whose header cannot be read yet as waiting for its key', async () => {
    const id = await service.create(CHANNEL, 'blank', 'Secret');
    service.docs.get(id)!.summary = { ...service.docs.get(id)!.summary, title: null, template: null };
    show();
    await until(() => root.textContent?.includes(t('docs.waitingForKey')), 'the waiting row');
  });

  it('asks for a title before creating', async () => {
    show();
    await until(() => button(t('docs.new')), 'the new button');
    button(t('docs.new'))!.click();
    await until(() => root.querySelector('form.new-document'), 'the form');
    (root.querySelector('form.new-document') as HTMLFormElement).requestSubmit();
    await until(() => root.textContent?.includes(t('docs.needTitle')), 'the problem');
    expect(service.docs.size).toBe(0);
  });

  it('creates a document from the picked template and opens it', async () => {
    show();
    await until(() => button(t('docs.new')), 'the new button');
    button(t('docs.new'))!.click();
    await until(() => root.querySelector('input[value="city-exchange"]'), 'the picker');
    (root.querySelector('input[value="city-exchange"]') as HTMLInputElement).click();
    const titleInput = root.querySelector('form.new-document input[type="text"]') as HTMLInputElement;
    type(titleInput, 'Tirana visits Skopje');
    await settle(); // the controlled input's state renders before the submit reads it
    (root.querySelector('form.new-document') as HTMLFormElement).requestSubmit();
    await until(() => root.querySelector('#doc-title'), 'the editor');
    const [id] = service.docs.keys();
    expect(String(doc(id).schema)).toBe('liaison/city-exchange');
    const headings = [...root.querySelectorAll('.doc-section h2')].map((h) => h.textContent);
    expect(headings).toEqual(
      ['meta', 'agenda', 'siteVisits', 'lessons', 'outcomes', 'followUps'].map((k) => t(`docs.section.${k}` as never)),
    );
  });
});

describe('the editor', () => {
  it('edits a text field by splicing, and keeps a remote edit and the caret', async () => {
    const id = await createPlan();
    const summary = field(['context', 'summary']);
    expect(summary.tagName).toBe('TEXTAREA');
    type(summary, 'Youth centres close at six.');
    expect(doc(id).context.summary).toBe('Youth centres close at six.');
    type(summary, 'Youth centres close at six.', 5); // caret after "Youth"
    service.remoteChange(id, (d) => editText(d, ['context', 'summary'], 'Most youth centres close at six.'));
    await until(() => summary.value === 'Most youth centres close at six.', 'the remote edit in the field');
    // The caret stays after "Youth", now 5 characters further on.
    expect(summary.selectionStart).toBe(10);
    type(summary, 'Most youth centres close at six. Parents work late.');
    expect(doc(id).context.summary).toBe('Most youth centres close at six. Parents work late.');
  });

  it('formats the selection of a free-text field as marks and shows it formatted; remote marks too', async () => {
    const id = await createPlan();
    const summary = field(['context', 'summary']);
    type(summary, 'Youth centres close at six.');
    expect(root.querySelector('.rich-view')).toBeNull(); // nothing formatted yet
    summary.setSelectionRange(0, 5);
    button(t('docs.format.bold'))!.click();
    expect(A.marks(doc(id), ['context', 'summary'])).toEqual([{ name: 'bold', value: true, start: 0, end: 5 }]);
    await until(() => root.querySelector('.rich-view strong')?.textContent === 'Youth', 'the bold word shown');
    // Ctrl+I on the selection; bold again on the same letters takes bold off.
    summary.setSelectionRange(6, 13);
    summary.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'i', ctrlKey: true, bubbles: true }));
    summary.setSelectionRange(0, 5);
    button(t('docs.format.bold'))!.click();
    expect(A.marks(doc(id), ['context', 'summary'])).toEqual([{ name: 'italic', value: true, start: 6, end: 13 }]);
    // A member's link arrives; the caret stays where it was and the text is unchanged.
    summary.setSelectionRange(20, 20);
    service.remoteChange(id, (d) => A.mark(d, ['context', 'summary'], { start: 14, end: 19, expand: 'none' }, 'link', 'https://example.org/'));
    await until(() => root.querySelector('.rich-view a')?.getAttribute('href') === 'https://example.org/', 'the remote link shown');
    expect(root.querySelector('.rich-view a')!.getAttribute('rel')).toBe('noopener noreferrer');
    expect(summary.selectionStart).toBe(20);
    expect(summary.value).toBe('Youth centres close at six.');
    // The list button makes the caret's line an item.
    summary.setSelectionRange(3, 3);
    button(t('docs.format.list'))!.click();
    expect(doc(id).context.summary).toBe('- Youth centres close at six.');
    expect(summary.value).toBe('- Youth centres close at six.');
    expect(summary.selectionStart).toBe(5);
    await until(() => root.querySelector('.rich-view li em')?.textContent === 'centres', 'the list item shown');
  });

  it('writes selects, dates and scores as scalars', async () => {
    const id = await createPlan();
    choose(field(['meta', 'status']) as unknown as HTMLSelectElement, 'adopted');
    choose(field(['meta', 'periodEnd']), '2027-12-31');
    const [[riskId]] = orderedRows(doc(id).risks);
    choose(field(['risks', riskId, 'likelihood']), '9');
    expect(doc(id).meta.status).toBeInstanceOf(A.ImmutableString);
    expect(String(doc(id).meta.status)).toBe('adopted');
    expect(String(doc(id).meta.periodEnd)).toBe('2027-12-31');
    expect(doc(id).risks[riskId].likelihood).toBe(5); // clamped to the scale
    const [[activityId]] = orderedRows(doc(id).activities);
    choose(field(['activities', activityId, 'budgetMinor']), '1200.5');
    expect(doc(id).activities[activityId].budgetMinor).toBe(120050);
    // The risk matrix counts the risk at likelihood 5, impact 1.
    await until(() => root.querySelector('.risk-matrix tbody tr:first-child td')?.textContent === '1', 'the matrix');
  });

  it('shows remote edits in rows, and each version its own rows (sections re-render only when touched)', async () => {
    const id = await createPlan();
    const [[riskId]] = orderedRows(doc(id).risks);
    const title = () => field(['risks', riskId, 'title']);
    service.remoteChange(id, (d) => editText(d, ['risks', riskId, 'title'], 'Online recruitment'));
    await until(() => title().value === 'Online recruitment', 'the remote row edit');
    type(field(['meta', 'city']), 'Mostar'); // a keystroke elsewhere leaves the row as it is
    await settle();
    expect(title().value).toBe('Online recruitment');
    const editor = service.opened[0];
    await editor.saveVersion('one');
    editor.change((d) => editText(d, ['risks', riskId, 'title'], 'Online recruitment of minors'));
    await editor.saveVersion('two');
    button(t('docs.history'))!.click();
    await until(() => root.querySelectorAll('[data-version]').length === 2, 'two versions');
    const view = (name: string) =>
      (root.querySelector(`[data-version="${editor.versionsByName(name)}"] button`) as HTMLButtonElement).click();
    view('one');
    await until(() => title().value === 'Online recruitment' && title().readOnly, 'version one');
    view('two');
    await until(() => title().value === 'Online recruitment of minors', 'version two');
  });

  it('adds and removes rows', async () => {
    const id = await createPlan();
    const section = t('docs.section.partners');
    expect(Object.keys(doc(id).partners)).toHaveLength(0);
    button(tf('docs.addRow', { section }))!.click();
    button(tf('docs.addRow', { section }))!.click();
    await until(() => root.querySelectorAll('.doc-section:nth-of-type(5) tr[data-row]').length === 2, 'two partner rows');
    const ids = orderedRows(doc(id).partners).map(([rowId]) => rowId);
    type(field(['partners', ids[1], 'organisation']), 'Red Crescent');
    expect(doc(id).partners[ids[1]].organisation).toBe('Red Crescent');
    const byLabel = (key: 'docs.moveUpNamed' | 'docs.moveDownNamed' | 'docs.removeRowNamed', row: number) =>
      root.querySelector(`[aria-label="${tf(key, { section, row })}"]`) as HTMLButtonElement;
    expect(byLabel('docs.moveUpNamed', 1).disabled).toBe(true);
    expect(byLabel('docs.moveDownNamed', 2).disabled).toBe(true);
    byLabel('docs.moveUpNamed', 2).click();
    await until(() => orderedRows(doc(id).partners)[0][0] === ids[1], 'the move');
    await until(() => field(['partners', ids[1], 'organisation']).closest('tr')?.previousElementSibling === null, 'the moved row first');
    const remove = byLabel('docs.removeRowNamed', 2);
    remove.click();
    await until(() => Object.keys(doc(id).partners).length === 1, 'the removal');
    expect(Object.keys(doc(id).partners)).toEqual([ids[1]]);
  });

  it('shows a conflict when two members set one value at once', async () => {
    const id = await createPlan();
    const stored = service.docs.get(id)!;
    const mine = A.change(A.clone(stored.doc, 'aaaa'), (d: AnyDoc) => {
      d.meta.status = new A.ImmutableString('adopted');
    });
    const theirs = A.change(A.clone(stored.doc, 'bbbb'), (d: AnyDoc) => {
      d.meta.status = new A.ImmutableString('archived');
    });
    service.remoteChange(id, () => {});
    stored.doc = A.merge(A.merge(stored.doc, mine), theirs);
    service.setPresence(id, []);
    const hint = await until(() => root.querySelector('.conflict'), 'the conflict hint');
    expect(hint.textContent).toMatch(new RegExp(`${t('docs.value.adopted')}|${t('docs.value.archived')}`));
  });

  it('shows who else is here, in which field, with a caret, and tells where I am', async () => {
    const id = await createPlan();
    service.opened[0].change((d) => editText(d, ['context', 'summary'], 'Hello world'));
    const cursor = A.getCursor(doc(id), ['context', 'summary'], 5);
    service.setPresence(id, [
      { userId: 'u-elena', deviceId: 'd-elena', name: 'The coordinator', path: ['context', 'summary'], cursor, seenAt: Date.now() },
    ]);
    await until(() => root.querySelector('.peer-caret'), 'the caret');
    expect(root.querySelector('.doc-presence')?.textContent).toContain(
      tf('docs.inField', { name: 'Elena', field: t('docs.field.summary') }),
    );
    expect(root.querySelector('.peer-caret')?.getAttribute('data-name')).toBe('Elena');
    expect(root.querySelector('.peer-layer')?.textContent).toBe('Hello world');
    expect(root.querySelector('.peer-caret')?.previousSibling?.textContent).toBe('Hello');
    expect(root.querySelector('#doc-context-summary-peers')?.textContent).toContain('Elena');
    // My own position goes out on focus and caret moves, with a cursor; and is cleared on blur.
    const editor = service.opened[0];
    const city = field(['meta', 'city']);
    type(city, 'Mostar', 3);
    const last = editor.sentPresence[editor.sentPresence.length - 1];
    expect(last.path).toEqual(['meta', 'city']);
    expect(A.getCursorPosition(doc(id), ['meta', 'city'], last.cursor!)).toBe(3);
    city.blur();
    expect(editor.sentPresence[editor.sentPresence.length - 1].path).toEqual([]);
  });

  it('says how the document is syncing', async () => {
    const id = await createPlan();
    const status = () => root.querySelector('.doc-status')!;
    expect(status().textContent).toBe(t('docs.status.synced'));
    for (const s of ['sending', 'offline', 'waiting-for-key', 'unverified'] as const) {
      service.opened[0].currentStatus = s;
      service.setPresence(id, []);
      await until(() => status().getAttribute('data-status') === s, s);
      expect(status().textContent).toBe(t(`docs.status.${s}`));
    }
  });
});

describe('what cannot be edited', () => {
  it('says so when a document cannot be opened', async () => {
    const id = await service.create(CHANNEL, 'blank', 'Notes');
    service.open = async () => {
      throw new Error('unverified');
    };
    show();
    const link = await until(() => root.querySelector(`tr[data-document="${id}"] button`) as HTMLButtonElement, 'the row');
    link.click();
    await until(() => root.querySelector('[role="alert"]')?.textContent === t('docs.openFailed'), 'the error');
    expect(root.querySelector('#doc-title')).toBeNull();
  });

  it('says so when creating fails, and keeps the form', async () => {
    service.create = async () => {
      throw new Error('too-many-documents');
    };
    show();
    await until(() => button(t('docs.new')), 'the new button');
    button(t('docs.new'))!.click();
    const titleInput = await until(() => root.querySelector('form.new-document input[type="text"]') as HTMLInputElement, 'the form');
    type(titleInput, 'One too many');
    await settle();
    (root.querySelector('form.new-document') as HTMLFormElement).requestSubmit();
    await until(() => root.querySelector('[role="alert"]')?.textContent === t('docs.createFailed'), 'the error');
    expect(root.querySelector('form.new-document')).not.toBeNull();
  });

  it('shows a document of an unknown schema without forms, and ignores bad numbers', async () => {
    const id = await createPlan();
    const [[activityId]] = orderedRows(doc(id).activities);
    choose(field(['activities', activityId, 'budgetMinor']), '-5');
    choose(field(['activities', activityId, 'budgetMinor']), 'abc');
    expect(doc(id).activities[activityId].budgetMinor).toBe(0);
    service.remoteChange(id, (d) => {
      d.schema = new A.ImmutableString('liaison/survey');
    });
    await until(() => root.textContent?.includes(t('docs.unknownTemplate')), 'the notice');
    expect(root.querySelector('.doc-section')).toBeNull();
  });
});

describe('comments', () => {
  it('adds a comment to a section, resolves it, shows it again with resolved ones', async () => {
    const id = await createPlan();
    const riskComment = [...root.querySelectorAll('.doc-section')]
      .find((s) => s.querySelector('h2')?.textContent === t('docs.section.risks'))!
      .querySelector('button') as HTMLButtonElement;
    riskComment.click();
    const box = await until(() => root.querySelector('.doc-side textarea') as HTMLTextAreaElement, 'the comment form');
    expect((root.querySelector('.doc-side select') as HTMLSelectElement).value).toBe('risks');
    type(box, 'Add the online risk');
    await until(() => !button(t('docs.addComment'))?.disabled, 'the enabled button');
    button(t('docs.addComment'))!.click();
    await until(() => root.querySelector('[data-comment]'), 'the comment');
    const [comment] = Object.values(doc(id).comments) as AnyDoc[];
    expect([String(comment.anchor), String(comment.author), String(comment.authorName), comment.body, comment.resolved]).toEqual([
      'risks', 'u-amina', 'Amina', 'Add the online risk', false,
    ]);
    expect(root.querySelector('[data-comment]')?.textContent).toContain(tf('docs.on', { section: t('docs.section.risks') }));
    expect(root.textContent).toContain(tf('docs.openComments', { count: 1 }));
    button(t('docs.resolve'))!.click();
    await until(() => root.querySelector('[data-comment]') === null, 'the resolved comment hidden');
    expect(comment.resolved).toBe(false);
    expect((Object.values(doc(id).comments) as AnyDoc[])[0].resolved).toBe(true);
    const onlyOpen = [...root.querySelectorAll('.doc-side label')].find((l) => l.textContent === t('docs.onlyOpen'))!
      .querySelector('input') as HTMLInputElement;
    onlyOpen.click();
    await until(() => root.querySelector('[data-comment].resolved'), 'the resolved comment shown');
    button(t('docs.reopen'))!.click();
    await until(() => (Object.values(doc(id).comments) as AnyDoc[])[0].resolved === false, 'reopened');
  });
});

describe('versions', () => {
  it('saves a version, shows it read-only, and restores it as a new change', async () => {
    const id = await createPlan();
    type(field(['meta', 'city']), 'Mostar');
    button(t('docs.history'))!.click();
    const name = await until(() => root.querySelector('.doc-side input[type="text"]') as HTMLInputElement, 'the form');
    type(name, 'sent to the ministry');
    await until(() => !button(t('docs.saveVersion'))?.disabled, 'the enabled button');
    button(t('docs.saveVersion'))!.click();
    await until(() => root.querySelector('[data-version]'), 'the version');
    type(field(['meta', 'city']), 'Sarajevo');
    expect(doc(id).meta.city).toBe('Sarajevo');

    button(t('docs.viewVersion'))!.click();
    await until(() => field(['meta', 'city']).value === 'Mostar', 'the old state');
    expect(field(['meta', 'city']).readOnly).toBe(true);
    expect((field(['meta', 'status']) as unknown as HTMLSelectElement).disabled).toBe(true);
    expect(button(tf('docs.addRow', { section: t('docs.section.risks') }))).toBeUndefined();
    expect(root.textContent).toContain('sent to the ministry');
    expect(doc(id).meta.city).toBe('Sarajevo');

    const headsBefore = A.getHeads(doc(id));
    [...root.querySelectorAll('.banner button')].find((b) => b.textContent === t('docs.restore'))!.dispatchEvent(
      new dom.window.MouseEvent('click', { bubbles: true }),
    );
    await until(() => doc(id).meta.city === 'Mostar', 'the restored state');
    // A forward change: the newer state is still in the history.
    expect((A.view(doc(id), headsBefore) as AnyDoc).meta.city).toBe('Sarajevo');
    await until(() => !field(['meta', 'city']).readOnly, 'back to editing');
  });
});

describe('export from the editor', () => {
  it('downloads the current state, or the version being viewed, as Markdown and HTML', async () => {
    const blobs: Blob[] = [];
    const downloads: string[] = [];
    const { createObjectURL, revokeObjectURL } = URL;
    URL.createObjectURL = (blob: Blob) => {
      blobs.push(blob);
      return `blob:test/${blobs.length}`;
    };
    URL.revokeObjectURL = () => {};
    const click = dom.window.HTMLAnchorElement.prototype.click;
    dom.window.HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      downloads.push(this.download);
    };
    try {
      await createPlan('Mostar 2027');
      type(field(['meta', 'city']), 'Mostar');
      await service.opened[0].saveVersion('to the ministry');
      type(field(['meta', 'city']), 'Sarajevo');
      button(t('docs.exportMarkdown'))!.click();
      expect(downloads).toEqual(['Mostar-2027.md']);
      expect(blobs[0].type).toBe('text/markdown;charset=utf-8');
      expect(await blobs[0].text()).toContain('- **City:** Sarajevo');

      button(t('docs.history'))!.click();
      const view = await until(() => button(t('docs.viewVersion')), 'the version');
      view.click();
      await until(() => field(['meta', 'city']).value === 'Mostar', 'the version shown');
      button(t('docs.exportHtml'))!.click();
      expect(downloads).toEqual(['Mostar-2027.md', 'Mostar-2027.html']);
      const html = await blobs[1].text();
      expect(html).toContain('<dt>City</dt><dd>Mostar</dd>');
      expect(html).toContain('Version: to the ministry');
    } finally {
      URL.createObjectURL = createObjectURL;
      URL.revokeObjectURL = revokeObjectURL;
      dom.window.HTMLAnchorElement.prototype.click = click;
    }
  });
});

describe('languages and accessibility', () => {
  it('shows Arabic strings, mirrors the page, and lets each field take its text’s direction', async () => {
    setLanguage('ar', null);
    await createPlan('خطة موستار');
    expect(document.documentElement.dir).toBe('rtl');
    expect(root.querySelector('#doc-title')?.getAttribute('dir')).toBe('auto');
    const fields = [...root.querySelectorAll('.doc-section textarea, .doc-section input[type="text"]')];
    expect(fields.length).toBeGreaterThan(10);
    expect(fields.filter((f) => f.getAttribute('dir') !== 'auto')).toEqual([]);
    expect(root.textContent).toContain('المخاطر');
    expect(root.textContent).toContain('حُفظت كل التعديلات');
  });

  it('passes axe on the list and the editor', async () => {
    const axe = (await import('axe-core')).default;
    const check = async (what: string) => {
      const result = await axe.run(root, { rules: { 'color-contrast': { enabled: false } } });
      expect(result.violations.map((v) => `${what}: ${v.id} ${v.nodes.map((n) => n.html).join(' ')}`)).toEqual([]);
    };
    await service.create(CHANNEL, 'blank', 'Notes');
    show();
    await until(() => root.querySelector('tr[data-document]'), 'the list');
    button(t('docs.new'))!.click();
    await until(() => root.querySelector('form.new-document'), 'the form');
    await check('list with the new-document form');
    render(null, root);
    service = new LocalDocuments(ME.userId);
    const planId = await createPlan();
    await check('editor');
    // With formatted text: a link, bold and a list in the formatted view.
    service.remoteChange(planId, (d) => {
      editText(d, ['context', 'summary'], 'See the report\n- one\n- two');
      A.mark(d, ['context', 'summary'], { start: 4, end: 14, expand: 'none' }, 'link', 'https://example.org/');
      A.mark(d, ['context', 'summary'], { start: 0, end: 3, expand: 'after' }, 'bold', true);
    });
    await until(() => root.querySelector('.rich-view a'), 'the formatted view');
    await check('editor with formatted text');
    button(tf('docs.commentsCount', { count: 0 }))!.click();
    await until(() => root.querySelector('#doc-comments-title'), 'the comments');
    await check('editor with comments');
    button(t('docs.history'))!.click();
    await until(() => root.querySelector('[data-version]') ?? root.textContent?.includes(t('docs.noVersions')), 'the versions');
    await check('editor with versions');
  }, 120_000);
});

describe('the channel view', () => {
  // Only what ChannelView reads of the engine and the view; the conversation itself is tested elsewhere.
  const engine = { userId: ME.userId, deviceId: 'd-amina', markRead: async () => {} } as unknown as ChannelEngine;
  const view = {
    id: CHANNEL,
    kind: 'team',
    policy: { minTier: 'T1', allowedSectors: [], retentionDays: 90, historyOnJoin: false },
    owners: [ME.userId],
    meta: { name: 'Mostar team', description: '' },
    epoch: 1,
    members: [],
    messages: [],
    unread: 0,
    joined: true,
    removed: false,
    untrusted: [],
    leaving: false,
  } as unknown as View;
  const users = new Map([[ME.userId, { id: ME.userId, displayName: 'Amina' }]]) as never;

  it('has no documents tab without a documents service', async () => {
    render(<ChannelView engine={engine} view={view} users={users} go={() => {}} />, root);
    await until(() => root.querySelector('.conversation'), 'the conversation');
    expect(root.querySelector('[role="tablist"]')).toBeNull();
  });

  it('shows the channel’s documents in their own tab', async () => {
    await service.create(CHANNEL, 'action-plan', 'Mostar 2027');
    render(<ChannelView engine={engine} view={view} users={users} go={() => {}} documents={service} />, root);
    const tab = await until(() => root.querySelector('#tab-documents') as HTMLButtonElement, 'the tab');
    expect(root.querySelector('#tab-messages')?.getAttribute('aria-selected')).toBe('true');
    tab.click();
    await until(() => root.querySelector('tr[data-document]'), 'the lazily loaded list');
    expect(root.querySelector('.conversation')).toBeNull();
    expect(root.querySelector('#panel-documents')?.textContent).toContain('Mostar 2027');
    expect(tab.getAttribute('aria-selected')).toBe('true');
    tab.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    await until(() => root.querySelector('.conversation'), 'back to the conversation by keyboard');
    expect(document.activeElement?.id).toBe('tab-messages');
  });
});
