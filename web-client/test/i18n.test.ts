// @vitest-environment node
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { hasKey, LANGUAGES, ROLES, SECTORS, TIERS } from '../src/i18n';

function sources(dir: string, extensions: string[] = ['.tsx']): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path, extensions) : extensions.some((e) => path.endsWith(e)) ? [path] : [];
  });
}

const VISIBLE_ATTRIBUTES = new Set(['placeholder', 'title', 'aria-label', 'alt']);

/** JSX text with letters, and human-facing attributes given as string literals. */
function hardCodedStrings(file: string, text: string): string[] {
  const found: string[] = [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && /\p{L}/u.test(node.text)) {
      found.push(`${file}: text "${node.text.trim()}"`);
    }
    if (
      ts.isJsxAttribute(node) &&
      VISIBLE_ATTRIBUTES.has(node.name.getText(source)) &&
      node.initializer !== undefined &&
      ts.isStringLiteral(node.initializer)
    ) {
      found.push(`${file}: ${node.name.getText(source)}="${node.initializer.text}"`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Expressions that show what people typed: names, descriptions, bodies (not translated sentences). */
const USER_TEXT = /displayName|description|authorName|cityName|organisationName|\bname\(|\.name\b|\.body\b|^name$/;

function containsJsx(node: ts.Node): boolean {
  if (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node) || ts.isJsxFragment(node)) return true;
  return ts.forEachChild(node, containsJsx) ?? false;
}

/**
 * User text shown without `dir` on its element: an Arabic name in a French UI, or the reverse,
 * must take its own direction (dir="auto") so punctuation and neighbours do not scramble.
 */
function userTextWithoutDir(file: string, text: string): string[] {
  const found: string[] = [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const visit = (node: ts.Node) => {
    if (ts.isJsxExpression(node) && node.expression && ts.isJsxElement(node.parent)) {
      const shown = node.expression.getText(source);
      // Containers of JSX are checked where their elements are; sentences by t()/tf() isolate names.
      if (USER_TEXT.test(shown) && !/^tf?\(/.test(shown) && !containsJsx(node.expression)) {
        const opening = node.parent.openingElement;
        const hasDir = opening.attributes.properties.some((a) => ts.isJsxAttribute(a) && a.name.getText(source) === 'dir');
        // <bdi> isolates its text and takes the text's own direction (HTML: dir is auto by default).
        const isolated = opening.tagName.getText(source) === 'bdi';
        if (!hasDir && !isolated) found.push(`${file}: {${shown}}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the string catalogue', () => {
  const src = fileURLToPath(new URL('../src', import.meta.url));
  const files = sources(src);
  // Keys are asked for outside components too (errors.ts, channels/text.ts).
  const scripts = sources(src, ['.ts', '.tsx']);

  it('has every key that a component asks for', () => {
    const missing: string[] = [];
    for (const file of scripts) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bt\('([^']+)'\)/g)) {
        if (!hasKey(match[1])) missing.push(`${file}: ${match[1]}`);
      }
    }
    expect(files.length).toBeGreaterThan(3);
    expect(missing).toEqual([]);
  });

  it('has a name for every tier, role, sector and language the server knows', () => {
    const keys = [
      ...TIERS.map((x) => `tier.${x}`),
      ...ROLES.map((x) => `role.${x}`),
      ...SECTORS.map((x) => `sector.${x}`),
      ...LANGUAGES.map((x) => `language.${x}`),
    ];
    expect(keys.filter((k) => !hasKey(k))).toEqual([]);
  });

  it('leaves no visible text hard-coded in JSX', () => {
    const offenders = files.flatMap((file) => hardCodedStrings(file, readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('shows user text (names, descriptions, bodies) with dir on its element', () => {
    const offenders = files
      .flatMap((file) => userTextWithoutDir(file, readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('would notice user text without dir', () => {
    expect(userTextWithoutDir('x.tsx', 'const a = <p><b>{u.displayName}</b><i dir="auto">{c.name}</i><bdi>{o.name}</bdi>{t(\'x\')}</p>;')).toEqual([
      'x.tsx: {u.displayName}',
    ]);
  });

  it('would notice a hard-coded string', () => {
    expect(hardCodedStrings('x.tsx', 'const a = <p title="Hi">Hello</p>;')).toEqual([
      'x.tsx: title="Hi"',
      'x.tsx: text "Hello"',
    ]);
  });
});
