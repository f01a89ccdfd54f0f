// The domain core (shared/domain) is pure: no AWS, no Lambda or CDK, no file system or network, no
// process.env, no clock and no Math.random. Everything it needs comes in as arguments, so the same code
// runs in the Lambda functions, the CDK app, the local stack and the inspector's recount. This test
// reads every source file under shared/domain and fails on any import from outside it (zod excepted)
// and on any read of the environment or the clock.
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOMAIN = 'shared/domain';
const SOURCE = /\.(?:[cm]?[jt]s|tsx|jsx)$/;

type Kind =
  | 'infrastructure-import'
  | 'outside-import'
  | 'computed-import'
  | 'process-env'
  | 'clock'
  | 'random';

interface Violation {
  file: string;
  line: number;
  kind: Kind;
  detail: string;
}

const INFRASTRUCTURE: [RegExp, string][] = [
  [/^@aws-sdk\//, 'the AWS SDK'],
  [/^aws-lambda$/, 'aws-lambda'],
  [/^@aws-lambda-powertools\//, 'Lambda Powertools'],
  [/^aws-cdk-lib(?:\/|$)/, 'the CDK'],
  [/^@middy\//, 'middy'],
  [/^(?:node:)?fs(?:\/promises)?$/, 'the file system'],
  [/^(?:node:)?https?$/, 'the network'],
];

// ---------------------------------------------------------------------------------------------
// Comments out, code and strings kept (line numbers too), so that a comment saying "never call
// Date.now()" is not a violation, and "//" inside a string or a regular expression is not a comment.

const REGEX_AFTER = new Set('(,=:[!&|?{};+-*%<>~^'.split(''));
const REGEX_AFTER_WORD =
  /(?:^|[^\w$])(?:return|typeof|instanceof|in|of|new|delete|void|throw|case|do|else|yield|await)$/;

function stripComments(src: string): string {
  let out = '';
  let i = 0;
  const n = src.length;
  const templateBraces: number[] = []; // brace depth at each open ${ ... } of a template literal
  let braces = 0;

  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  const lastCode = () => out.slice(-200).trimEnd();
  /** From just after ` or after the } closing a substitution: to the closing ` or the next ${. */
  const templateChunk = () => {
    const start = i;
    while (i < n) {
      if (src[i] === '\\') i += 2;
      else if (src[i] === '`') {
        i++;
        break;
      } else if (src[i] === '$' && src[i + 1] === '{') {
        i += 2;
        templateBraces.push(braces);
        braces++;
        break;
      } else i++;
    }
    out += src.slice(start, i);
  };

  while (i < n) {
    const c = src[i] as string;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      out += blank(src.slice(i, stop));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      out += blank(src.slice(i, stop));
      i = stop;
    } else if (c === '"' || c === "'") {
      const start = i++;
      while (i < n && src[i] !== c && src[i] !== '\n') i += src[i] === '\\' ? 2 : 1;
      i++;
      out += src.slice(start, i);
    } else if (c === '`') {
      out += c;
      i++;
      templateChunk();
    } else if (
      c === '}' &&
      templateBraces.length > 0 &&
      templateBraces[templateBraces.length - 1] === braces - 1
    ) {
      templateBraces.pop();
      braces--;
      out += c;
      i++;
      templateChunk();
    } else if (c === '/') {
      const before = lastCode();
      const prev = before[before.length - 1] ?? '';
      if (prev === '' || REGEX_AFTER.has(prev) || REGEX_AFTER_WORD.test(before)) {
        // A regular expression literal: to the closing / outside a character class, then its flags.
        const start = i++;
        let inClass = false;
        while (i < n && src[i] !== '\n') {
          const d = src[i];
          if (d === '\\') i++;
          else if (d === '[') inClass = true;
          else if (d === ']') inClass = false;
          else if (d === '/' && !inClass) break;
          i++;
        }
        i++;
        while (i < n && /[a-z]/.test(src[i] as string)) i++;
        out += src.slice(start, i);
      } else {
        out += c;
        i++;
      }
    } else {
      if (c === '{') braces++;
      else if (c === '}') braces--;
      out += c;
      i++;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The scanner.

// Each captures the clause naming what is imported (group 1, when there is one) and the specifier (3).
const IMPORTS: RegExp[] = [
  // import x from '...'; import { a, b } from '...'; import * as z from '...'; import type ...; import '...'
  /(?<![\w$.])import\s*(?:type\s+)?(?:([\w$*{}\s,]+?)\s*from\s*)?(['"])([^'"\n]+)\2/g,
  // export * from '...'; export * as ns from '...'; export { a } from '...'; export type { T } from '...'
  /(?<![\w$.])export\s+(?:type\s+)?(\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*(['"])([^'"\n]+)\2/g,
];
/**
 * node:crypto is allowed for its deterministic functions only (hashes and HMACs of given bytes, and
 * constant-time comparison); its random sources are not, nor a default or namespace import that
 * would hide which functions are used. Randomness comes into the domain as an argument.
 */
const DETERMINISTIC_CRYPTO = new Set([
  'createHash',
  'createHmac',
  'timingSafeEqual',
  'Hash',
  'Hmac',
  'BinaryLike',
]);
// import('...') and require('...'): a literal specifier is checked, anything else is refused.
const CALLS = /(?<![\w$.])(import|require)\s*\(\s*(?:(['"`])([^'"`\n$]*)\2\s*\))?/g;

const FORBIDDEN_CODE: [RegExp, Kind, string][] = [
  [/(?<![\w$])process\s*(?:\?\.|\.)\s*env\b/g, 'process-env', 'process.env'],
  [/(?<![\w$])process\s*(?:\?\.)?\s*\[\s*(['"`])env\1\s*\]/g, 'process-env', "process['env']"],
  [/\{[^{}]*\benv\b[^{}]*\}\s*=\s*(?:globalThis\s*\.\s*)?process\b/g, 'process-env', '{ env } = process'],
  [/(?<![\w$])Date\s*\.\s*now\b/g, 'clock', 'Date.now()'],
  [/(?<![\w$])new\s+Date\s*\(\s*\)/g, 'clock', 'new Date()'],
  [/(?<![\w$])new\s+Date\b(?!\s*\()/g, 'clock', 'new Date'],
  [/(?<![\w$.]|new\s+)Date\s*\(/g, 'clock', 'Date()'],
  [/(?<![\w$])performance\s*\.\s*now\b/g, 'clock', 'performance.now()'],
  [/(?<![\w$])process\s*\.\s*(?:hrtime|uptime)\b/g, 'clock', 'process.hrtime/uptime'],
  [/(?<![\w$])Math\s*\.\s*random\b/g, 'random', 'Math.random()'],
  [
    /(?<![\w$])crypto\s*\.\s*(?:randomUUID|getRandomValues|randomBytes|randomInt)\b/g,
    'random',
    'crypto random',
  ],
];

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let k = text.indexOf('\n'); k >= 0 && k < index; k = text.indexOf('\n', k + 1)) line++;
  return line;
}

function checkSpecifier(
  file: string,
  specifier: string,
  clause: string | undefined,
): { kind: Kind; detail: string } | null {
  if (specifier === 'zod' || specifier.startsWith('zod/')) return null;
  if (specifier === 'node:crypto' || specifier === 'crypto') {
    const names = /^\{([^}]*)\}$/.exec(clause?.trim() ?? '')?.[1];
    const refused = names
      ?.split(',')
      .map(
        (n) =>
          n
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)[0] as string,
      )
      .filter((n) => n !== '' && !DETERMINISTIC_CRYPTO.has(n));
    if (refused?.length === 0) return null;
    return {
      kind: 'outside-import',
      detail: refused
        ? `imports ${refused.join(', ')} from '${specifier}': only ${[...DETERMINISTIC_CRYPTO].join(', ')} may be`
        : `imports '${specifier}' without naming what (only { createHash, createHmac, timingSafeEqual } may be)`,
    };
  }
  for (const [pattern, what] of INFRASTRUCTURE) {
    if (pattern.test(specifier))
      return { kind: 'infrastructure-import', detail: `imports ${what} ('${specifier}')` };
  }
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    const target = posix.normalize(posix.join(posix.dirname(file), specifier));
    if (target.startsWith(`${DOMAIN}/`)) return null;
    return { kind: 'outside-import', detail: `imports '${specifier}' (${target}), outside ${DOMAIN}` };
  }
  return {
    kind: 'outside-import',
    detail: `imports '${specifier}': only zod may come from outside ${DOMAIN}`,
  };
}

/** Every violation in one source file; `file` is its path from the repository root, with "/". */
function scanSource(file: string, source: string): Violation[] {
  const code = stripComments(source);
  const found: Violation[] = [];
  const report = (index: number, kind: Kind, detail: string) => {
    found.push({ file, line: lineAt(code, index), kind, detail });
  };
  for (const pattern of IMPORTS) {
    for (const m of code.matchAll(pattern)) {
      const problem = checkSpecifier(file, m[3] as string, m[1]);
      if (problem) report(m.index, problem.kind, problem.detail);
    }
  }
  for (const m of code.matchAll(CALLS)) {
    const how = m[1] === 'import' ? 'import()' : 'require()';
    if (m[3] === undefined) {
      report(m.index, 'computed-import', `${how} of a specifier that is not a plain string`);
    } else {
      const problem = checkSpecifier(file, m[3], undefined);
      if (problem) report(m.index, problem.kind, `${how} ${problem.detail}`);
    }
  }
  for (const [pattern, kind, what] of FORBIDDEN_CODE) {
    for (const m of code.matchAll(pattern)) report(m.index, kind, `reads ${what}`);
  }
  return found.sort((a, b) => a.line - b.line);
}

function domainFiles(dir = DOMAIN): string[] {
  return readdirSync(posix.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return domainFiles(path);
    return entry.isFile() && SOURCE.test(entry.name) ? [path] : [];
  });
}

const format = (v: Violation) => `${v.file}:${v.line} ${v.kind}: ${v.detail}`;

describe('architecture: shared/domain is pure', () => {
  const files = domainFiles();

  it('finds the domain sources', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'shared/domain/holder.ts',
        'shared/domain/meeting.ts',
        'shared/domain/register.ts',
      ]),
    );
  });

  it('no domain file imports infrastructure or code outside shared/domain, reads process.env or the clock', () => {
    const violations = files.flatMap((file) =>
      scanSource(file, readFileSync(posix.join(ROOT, file), 'utf8')),
    );
    expect(violations.map(format)).toEqual([]);
  });
});

describe('architecture: the scanner finds each kind of violation (self-check)', () => {
  const FILE = 'shared/domain/bad.ts';
  const bad = [
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", // 1
    "import type { Context } from 'aws-lambda';", // 2
    "import { Logger } from '@aws-lambda-powertools/logger';", // 3
    "import * as cdk from 'aws-cdk-lib';", // 4
    "import middy from '@middy/core';", // 5
    "import { readFileSync } from 'node:fs';", // 6
    "import fs from 'fs';", // 7
    "import { createServer } from 'node:http';", // 8
    "import { table } from '../storage/table.ts';", // 9
    "import { hostname } from 'node:os';", // 10
    "export { helper } from '../../functions/helper.ts';", // 11
    "export * from 'lodash';", // 12
    "const sdk = await import('@aws-sdk/client-ses');", // 13
    'const mod = await import(name);', // 14
    "const os = require('node:os');", // 15
    'const region = process.env.AWS_REGION;', // 16
    "const stage = process['env'].STAGE;", // 17
    'const { env } = process;', // 18
    'const now = Date.now();', // 19
    'const today = new Date();', // 20
    'const started = performance.now();', // 21
    'const nonce = Math.random();', // 22
    'const stamp = Date();', // 23
    'const t = new Date;', // 24
    "import {\n  a,\n  b,\n} from '@middy/http-error-handler';", // 25-28
    "export type { X } from '../../infra/types.ts';", // 29
    "import { createHmac, randomBytes } from 'node:crypto';", // 30
    "import * as nodeCrypto from 'node:crypto';", // 31
    'const id = crypto.randomUUID();', // 32
  ].join('\n');

  it.each<[number, Kind, RegExp]>([
    [1, 'infrastructure-import', /the AWS SDK/],
    [2, 'infrastructure-import', /aws-lambda/],
    [3, 'infrastructure-import', /Lambda Powertools/],
    [4, 'infrastructure-import', /the CDK/],
    [5, 'infrastructure-import', /middy/],
    [6, 'infrastructure-import', /the file system/],
    [7, 'infrastructure-import', /the file system/],
    [8, 'infrastructure-import', /the network/],
    [9, 'outside-import', /shared\/storage\/table\.ts/],
    [10, 'outside-import', /only zod/],
    [11, 'outside-import', /functions\/helper\.ts/],
    [12, 'outside-import', /lodash/],
    [13, 'infrastructure-import', /import\(\) imports the AWS SDK/],
    [14, 'computed-import', /not a plain string/],
    [15, 'outside-import', /require\(\) imports 'node:os'/],
    [16, 'process-env', /process\.env/],
    [17, 'process-env', /process\['env'\]/],
    [18, 'process-env', /\{ env \} = process/],
    [19, 'clock', /Date\.now/],
    [20, 'clock', /new Date\(\)/],
    [21, 'clock', /performance\.now/],
    [22, 'random', /Math\.random/],
    [23, 'clock', /Date\(\)/],
    [24, 'clock', /new Date/],
    [25, 'infrastructure-import', /middy/],
    [29, 'outside-import', /infra\/types\.ts/],
    [30, 'outside-import', /imports randomBytes from 'node:crypto'/],
    [31, 'outside-import', /without naming what/],
    [32, 'random', /crypto random/],
  ])('line %i: %s', (line, kind, detail) => {
    const found = scanSource(FILE, bad).filter((v) => v.line === line);
    expect(found).toEqual([expect.objectContaining({ kind, detail: expect.stringMatching(detail) })]);
  });

  it('reports nothing else in the bad source', () => {
    expect(scanSource(FILE, bad)).toHaveLength(29);
  });

  it('accepts zod, relative imports inside shared/domain, and clock-free code', () => {
    const good = [
      "import { z } from 'zod';",
      "import * as mini from 'zod/mini';",
      "import { ACCOUNT_PATTERN, type Holder } from './holder.ts';",
      "import type { Meeting } from '../domain/meeting.ts';",
      "import { createHmac, type Hmac, timingSafeEqual } from 'node:crypto';",
      "import { createHash as sha } from 'crypto';",
      "export { parseRegister } from './register.ts';",
      "export * from './sub/deeper.ts';",
      '// Never call Date.now() or read process.env here; import nothing from "@aws-sdk/client-s3".',
      '/* new Date() and Math.random() are for the edges: performance.now() too */',
      "const url = 'https://example.com/a//b'; // a URL is not a comment, nor is this: Date.now()",
      'const re = /["\'`]\\/\\/|\\/*x/g; const half = 1 / 2; // Math.random()',
      'const later = new Date(epochMs); const parsed = Date.parse(text); const utc = Date.UTC(2002, 5, 13);',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test, not a template
      'const tpl = `${a}//${b /* Date.now() */}`; // ok',
      'const processed = records.process(); const myenv = config.env;',
      "const message = 'reads the clock'; // `import('x')`",
      'type Clock = () => number; export const at = (now: Clock) => now();',
    ].join('\n');
    expect(scanSource('shared/domain/good.ts', good)).toEqual([]);
  });

  it('refuses a relative import that climbs out of shared/domain, even from a subfolder', () => {
    expect(scanSource('shared/domain/sub/x.ts', "import { a } from '../a.ts';")).toEqual([]);
    expect(scanSource('shared/domain/sub/x.ts', "import { a } from '../../a.ts';")).toEqual([
      expect.objectContaining({ kind: 'outside-import', detail: expect.stringMatching(/shared\/a\.ts/) }),
    ]);
  });

  it('strips comments but keeps code, strings and line numbers', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test, not a template
    const src = "a(); // Date.now()\n/* x\n y */ b('//', `/*${c}*/`, /\\/\\//);";
    const stripped = stripComments(src);
    expect(stripped.split('\n')).toHaveLength(3);
    expect(stripped).not.toContain('Date.now');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test, not a template
    expect(stripped).toContain("b('//', `/*${c}*/`, /\\/\\//);");
  });
});
