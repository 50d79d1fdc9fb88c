/**
 * STUB until the templates land from the views' branch (docs-ui), which replaces this file:
 * the same signature, the first change of a new document as an Automerge `save()`.
 * Callers load Automerge (`automerge()`) before calling it.
 */
import * as A from '@automerge/automerge/slim';
import type { TemplateId } from './model';

export function initialDocument(template: TemplateId, title: string): Uint8Array {
  const doc = A.change(A.init<Record<string, unknown>>(), (d) => {
    d.schema = new A.ImmutableString(`liaison/${template}`);
    d.schemaVersion = 1;
    d.meta = { title };
    if (template === 'blank') d.body = '';
    d.comments = {};
  });
  return A.save(doc);
}
