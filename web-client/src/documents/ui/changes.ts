import * as A from '@automerge/automerge/slim';
import type { AnyDoc } from '../model';

/**
 * Which sections and rows a new document state touched, from Automerge's own diff between the
 * heads seen last and now. The editor re-renders only those (a 100-row plan has ~600 fields, and
 * re-rendering all of them on every keystroke is what made typing lag).
 */
export class ChangeStamps {
  private doc: AnyDoc = null;
  private heads: A.Heads | null = null;
  private readonly stamps = new Map<string, number>();
  /** Bumped when the diff cannot be read: then everything counts as changed. */
  private everything = 0;

  update(doc: AnyDoc): void {
    if (doc === this.doc) return;
    const heads = A.getHeads(doc);
    if (this.heads) {
      try {
        for (const patch of A.diff(doc, this.heads, heads)) this.touch(patch.path);
      } catch {
        this.everything++;
      }
    }
    this.doc = doc;
    this.heads = heads;
  }

  /** A value that changes whenever something under `key` ("risks" or "risks/<id>") changed. */
  of(key: string): string {
    return `${this.everything}:${this.stamps.get(key) ?? 0}`;
  }

  private touch(path: A.Prop[]): void {
    for (let depth = 1; depth <= Math.min(2, path.length); depth++) {
      const key = path.slice(0, depth).join('/');
      this.stamps.set(key, (this.stamps.get(key) ?? 0) + 1);
    }
  }
}
