/**
 * Every ```ts block under a JSDoc `@example` in the files behind the public
 * API (src/index.ts and src/node/index.ts) runs, and each `EXPR; // true`
 * line in it holds.
 *
 * Imports from 'layerwise' and 'layerwise/node' are pointed at the sources; a
 * relative import (for an internal helper's example) resolves against the
 * example's own file. Snippets are transpiled with the TypeScript compiler
 * (no type check: `tsc` checks the library, this test checks behaviour).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { getBackend, setBackend } from '../../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'src');
const entries = [join(src, 'index.ts'), join(src, 'node', 'index.ts')];
const excluded = [join(src, 'backend', 'wasm', 'assembly'), join(src, 'backend', 'wasm', 'generated')];

/** The source files that the entries export from, following re-exports. */
function publicFiles(): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file) || !file.startsWith(src + '/') || excluded.some((d) => file.startsWith(d + '/'))) return;
    seen.add(file);
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const st of sf.statements) {
      if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) && st.moduleSpecifier.text.startsWith('.')) {
        visit(resolve(dirname(file), st.moduleSpecifier.text.replace(/\.js$/, '.ts')));
      }
    }
  };
  entries.forEach(visit);
  return [...seen].sort();
}

interface Example {
  file: string;
  symbol: string;
  code: string;
  claims: number;
}

/** The declaration a doc comment ends right before: `name`, `Class.member`, or 'module'. */
function symbolAfter(text: string, end: number): string {
  const rest = text.slice(end).replace(/^\s+/, '');
  const decl = /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|interface|type|enum)\s+([A-Za-z_$][\w$]*)/.exec(rest);
  if (decl) return decl[1]!;
  const member = /^(?:(?:public|protected|private|static|readonly|override|abstract|async|get|set)\s+)*([A-Za-z_$][\w$]*)\s*[(<:?=]/.exec(rest);
  if (member) {
    const before = text.slice(0, end);
    const classes = [...before.matchAll(/^(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/gm)];
    const owner = classes.at(-1)?.[1];
    const name = member[1] === 'constructor' ? 'constructor' : member[1]!;
    return owner ? `${owner}.${name}` : name;
  }
  return 'module';
}

/** `EXPR; // true` -> a check that throws when EXPR is falsy. Returns the new line, or null. */
function claim(line: string): string | null {
  const m = /^(\s*)(.*?);?\s*\/\/\s*true\b.*$/.exec(line);
  if (!m || m[2]!.trim() === '') return null;
  const expr = m[2]!.trim();
  const sf = ts.createSourceFile('claim.ts', `${expr};`, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const only = sf.statements.length === 1 ? sf.statements[0]! : undefined;
  const diagnostics = (sf as ts.SourceFile & { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (!only || !ts.isExpressionStatement(only) || diagnostics.length > 0) return null;
  return `${m[1]}if (!(${expr})) throw new Error(${JSON.stringify(`example claim failed: ${expr}`)});`;
}

function rewriteImports(code: string, file: string): string {
  return code.replace(/(from\s+|import\s*\(\s*)(['"])([^'"]+)\2/g, (whole, lead: string, _q: string, spec: string) => {
    let target: string | null = null;
    if (spec === 'layerwise') target = join(src, 'index.ts');
    else if (spec === 'layerwise/node') target = join(src, 'node', 'index.ts');
    else if (spec.startsWith('.')) target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    return target === null ? whole : `${lead}${JSON.stringify(target)}`;
  });
}

function collect(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const out: Example[] = [];
  for (const doc of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const body = doc[0]
      .slice(3, -2)
      .split('\n')
      .map((l) => l.replace(/^\s*\* ?/, ''));
    const symbol = symbolAfter(text, doc.index + doc[0].length);
    // Each @example runs to the next block tag.
    let inExample = false;
    let fence: string[] | null = null;
    for (const line of body) {
      if (/^@\w+/.test(line.trim())) inExample = line.trim().startsWith('@example');
      if (!inExample) continue;
      if (fence === null && /^```ts\s*$/.test(line.trim())) fence = [];
      else if (fence !== null && /^```\s*$/.test(line.trim())) {
        let claims = 0;
        const lines = fence.map((l) => {
          const checked = claim(l);
          if (checked === null) return l;
          claims++;
          return checked;
        });
        out.push({ file: relative(root, file), symbol, code: rewriteImports(lines.join('\n'), file), claims });
        fence = null;
      } else if (fence !== null) fence.push(line);
    }
  }
  return out;
}

const examples = publicFiles().flatMap(collect);
const claimCount = examples.reduce((s, e) => s + e.claims, 0);
const dir = mkdtempSync(join(tmpdir(), 'layerwise-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const backend = getBackend().name;
afterEach(() => {
  // An example may switch the backend; the next one starts from the default.
  if (getBackend().name !== backend) setBackend(backend);
});

describe(`JSDoc examples (${examples.length} examples, ${claimCount} claims)`, () => {
  it('finds examples and claims', () => {
    expect(examples.length).toBeGreaterThan(50);
    expect(claimCount).toBeGreaterThan(0);
  });

  const names = new Map<string, number>();
  examples.forEach((ex, i) => {
    let name = `${ex.file}: ${ex.symbol}`;
    const n = (names.get(name) ?? 0) + 1;
    names.set(name, n);
    if (n > 1) name += ` (${n})`;
    it(name, async () => {
      const js = ts.transpileModule(ex.code, {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false },
        fileName: 'example.ts',
      }).outputText;
      const path = join(dir, `example-${i}.mts`);
      // `export {}` keeps a snippet without imports a module (top-level await works there too).
      writeFileSync(path, `${js}\nexport {};\n`);
      await import(/* @vite-ignore */ path);
    });
  });
});
