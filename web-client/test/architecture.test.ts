// @vitest-environment node
// The glue under src/channels, src/device and src/crypto (crypto, storage, the log) must not
// depend on UI components: a .ts module there that imports a .tsx file, directly or by a path
// without its extension, fails here. The components that live beside the glue (the .tsx files
// in src/channels) are UI themselves and may import other components.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const GLUE = ['channels', 'device', 'crypto'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every module a file names: static and type imports, re-exports, and dynamic `import()`. */
function importedSpecifiers(file: string, text: string): string[] {
  const found: string[] = [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      found.push(node.arguments[0].text);
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The file a relative specifier resolves to, in the order TypeScript's bundler resolution tries
 * (the path as written, then with .ts, .tsx, then a folder's index); null for packages.
 */
function resolveImport(from: string, specifier: string, exists: (path: string) => boolean): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier);
  const written = /\.jsx?$/.test(base) ? [base.replace(/\.js(x?)$/, '.ts$1'), base.replace(/\.jsx?$/, '.tsx')] : [base];
  const candidates = [...written, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')];
  return candidates.find((path) => /\.(ts|tsx)$/.test(path) && exists(path)) ?? null;
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

/** "src/x.ts imports ./Y (src/Y.tsx)" for each glue module that imports a component. */
function uiImports(files: string[], read: (file: string) => string, exists: (path: string) => boolean): string[] {
  const offences: string[] = [];
  for (const file of files.filter((f) => f.endsWith('.ts'))) {
    for (const specifier of importedSpecifiers(file, read(file))) {
      const target = resolveImport(file, specifier, exists);
      if (target?.endsWith('.tsx')) {
        offences.push(`${relative(SRC, file)} imports '${specifier}' (${relative(SRC, target)})`);
      }
    }
  }
  return offences;
}

describe('the architecture', () => {
  it('keeps UI components out of the crypto, device and channel glue', () => {
    const files = GLUE.flatMap((dir) => filesUnder(join(SRC, dir)));
    expect(files.filter((f) => f.endsWith('.ts')).length).toBeGreaterThan(10);
    expect(uiImports(files, (f) => readFileSync(f, 'utf8'), isFile)).toEqual([]);
  });

  it('would notice a component imported with or without its extension, by type, or lazily', () => {
    const glue = join(SRC, 'channels/glue.ts');
    const existing = new Set(['pages/Panel.tsx', 'pages/helper.ts', 'pages/both.ts', 'pages/both.tsx', 'widgets/index.tsx'].map((p) => join(SRC, p)));
    const text = [
      "import { Panel } from '../pages/Panel';",
      "import type { Props } from '../pages/Panel.tsx';",
      "import { helper } from '../pages/helper';",
      "import { both } from '../pages/both';",
      "export { Widget } from '../widgets';",
      "import { h } from 'preact';",
      "const lazy = () => import('../pages/Panel.js');",
    ].join('\n');
    expect(uiImports([glue], () => text, (p) => existing.has(p))).toEqual([
      "channels/glue.ts imports '../pages/Panel' (pages/Panel.tsx)",
      "channels/glue.ts imports '../pages/Panel.tsx' (pages/Panel.tsx)",
      "channels/glue.ts imports '../widgets' (widgets/index.tsx)",
      "channels/glue.ts imports '../pages/Panel.js' (pages/Panel.tsx)",
    ]);
  });
});
