import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkControlNumber,
  controlNumberHash,
  formatControlNumber,
  luhnCheckDigit,
  newControlNumber,
} from '../../shared/domain/control-number.ts';

describe('control numbers (RULES.md section 2)', () => {
  it('computes the Luhn digit of known numbers', () => {
    // The classic example: 7992739871 has check digit 3; 4111 1111 1111 111 has check digit 1.
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(luhnCheckDigit('411111111111111')).toBe(1);
  });

  it('issues 16 digits whose last is the Luhn check digit', () => {
    for (let i = 0; i < 200; i++) {
      const n = newControlNumber(randomBytes);
      expect(n).toMatch(/^\d{16}$/);
      expect(checkControlNumber(n)).toEqual({ ok: true, digits: n });
    }
  });

  it('draws uniform digits: each of 10 digits appears 10 % of the time within 1 point over 150,000 draws', () => {
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++)
      for (const c of newControlNumber(randomBytes).slice(0, 15)) counts[Number(c)]++;
    for (const c of counts) expect(Math.abs(c / 150_000 - 0.1)).toBeLessThan(0.01);
  });

  it('catches every single-digit typo, and a transposition of adjacent digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const n = newControlNumber(randomBytes);
        const typo = n.slice(0, pos) + String((Number(n[pos]) + delta) % 10) + n.slice(pos + 1);
        expect(checkControlNumber(typo)).toEqual({ ok: false, reason: 'check-digit' });
      }),
    );
    const n = '4111111111111111';
    expect(checkControlNumber(n).ok).toBe(true);
    expect(checkControlNumber('1411111111111111')).toEqual({ ok: false, reason: 'check-digit' });
  });

  it('accepts spaces and hyphens between groups, refuses other forms', () => {
    expect(checkControlNumber('4111 1111-1111 1111')).toEqual({ ok: true, digits: '4111111111111111' });
    expect(checkControlNumber('411111111111111')).toEqual({ ok: false, reason: 'format' });
    expect(checkControlNumber('41111111111111a1')).toEqual({ ok: false, reason: 'format' });
  });

  it('stores an HMAC that depends on the secret', () => {
    const h1 = controlNumberHash('4111111111111111', 'secret-one');
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    expect(controlNumberHash('4111111111111111', 'secret-two')).not.toBe(h1);
    expect(h1).not.toContain('4111111111111111');
    expect(formatControlNumber('4111111111111111')).toBe('4111 1111 1111 1111');
  });
});
