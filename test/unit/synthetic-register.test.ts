import { describe, expect, it } from 'vitest';
import { ACCOUNT_PATTERN } from '../../shared/domain/holder.ts';
import { CEDE_NAME, SYNTHETIC_ACCOUNT_COUNT, syntheticRegister } from '../../shared/register/synthetic.ts';

const N = 7_595_175;
const register = syntheticRegister(N);
const total = (hs: { shares: number }[]) => hs.reduce((sum, h) => sum + h.shares, 0);

describe('syntheticRegister', () => {
  it('adds up exactly to the shares outstanding, in whole positive shares', () => {
    expect(total(register)).toBe(N);
    expect(register.every((h) => Number.isInteger(h.shares) && h.shares >= 1)).toBe(true);
  });

  it('has a few thousand unique, well-formed accounts', () => {
    expect(register).toHaveLength(SYNTHETIC_ACCOUNT_COUNT);
    expect(new Set(register.map((h) => h.account)).size).toBe(register.length);
    expect(register.every((h) => ACCOUNT_PATTERN.test(h.account))).toBe(true);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(syntheticRegister(N)).toEqual(register);
    expect(syntheticRegister(N, 7)).toEqual(syntheticRegister(N, 7));
    expect(syntheticRegister(N, 7)).not.toEqual(syntheticRegister(N, 8));
  });

  it('gives Cede & Co., the only nominee, the street-name majority', () => {
    const nominees = register.filter((h) => h.nominee);
    expect(nominees.map((h) => h.name)).toEqual([CEDE_NAME]);
    expect(nominees[0]?.shares ?? 0).toBeGreaterThan(N / 2);
  });

  it('holds the two directors of record as individuals', () => {
    const darlington = register.filter((h) => h.name === 'Alan C. Darlington');
    const steffenhagen = register.filter((h) => h.name === 'Julian L. Steffenhagen');
    expect(darlington).toHaveLength(1);
    expect(steffenhagen).toHaveLength(1);
    expect(darlington[0]).toMatchObject({ shares: 20_000, nominee: false, jointNames: [] });
    expect(steffenhagen[0]).toMatchObject({ shares: 15_000, nominee: false, jointNames: [] });
  });

  it('has joint holders with one and with two joint names', () => {
    expect(register.some((h) => h.jointNames.length === 1)).toBe(true);
    expect(register.some((h) => h.jointNames.length === 2)).toBe(true);
    expect(register.every((h) => h.jointNames.length <= 2)).toBe(true);
  });

  it('has holders with and without e-delivery consent, only example domains, consent only with an address', () => {
    expect(register.some((h) => h.eDelivery)).toBe(true);
    expect(register.some((h) => !h.eDelivery && h.email !== null)).toBe(true);
    expect(register.some((h) => h.email === null)).toBe(true);
    expect(register.every((h) => !h.eDelivery || h.email !== null)).toBe(true);
    const emails = register.flatMap((h) => (h.email ? [h.email] : []));
    expect(emails.every((e) => /^[a-z.]+\d*@example\.(com|org)$/.test(e))).toBe(true);
    expect(new Set(emails).size).toBe(emails.length);
  });

  it('gives everyone a mailing address with a city, state and ZIP code', () => {
    expect(register.every((h) => /, [A-Z]{2} \d{5}$/.test(h.mailingAddress))).toBe(true);
  });

  it('works for other share counts and refuses ones too small to hold the fixed holders', () => {
    for (const n of [250_000, 1_000_003, 123_456_789]) expect(total(syntheticRegister(n, 3))).toBe(n);
    expect(() => syntheticRegister(100_000)).toThrow(RangeError);
    expect(() => syntheticRegister(1_000_000.5)).toThrow(RangeError);
  });
});
