// How a holder of record is stored in the register table: pk HOLDER#<account>, sk HOLDER.
import type { Holder } from '../domain/holder.ts';

export const HOLDER_SK = 'HOLDER';

export interface HolderItem extends Holder {
  pk: string;
  sk: typeof HOLDER_SK;
  type: 'holder';
}

export function holderKey(account: string): { pk: string; sk: typeof HOLDER_SK } {
  return { pk: `HOLDER#${account}`, sk: HOLDER_SK };
}

export function holderToItem(h: Holder): HolderItem {
  return {
    ...holderKey(h.account),
    type: 'holder',
    account: h.account,
    name: h.name,
    jointNames: [...h.jointNames],
    email: h.email,
    eDelivery: h.eDelivery,
    mailingAddress: h.mailingAddress,
    shares: h.shares,
    nominee: h.nominee,
    ...(h.language ? { language: h.language } : {}),
  };
}

export function itemToHolder(item: Record<string, unknown>): Holder {
  return {
    account: String(item.account),
    name: String(item.name),
    jointNames: Array.isArray(item.jointNames) ? item.jointNames.map(String) : [],
    email: typeof item.email === 'string' ? item.email : null,
    eDelivery: item.eDelivery === true,
    mailingAddress: String(item.mailingAddress),
    shares: Number(item.shares),
    nominee: item.nominee === true,
    ...(item.language === 'en' || item.language === 'es' ? { language: item.language } : {}),
  };
}
