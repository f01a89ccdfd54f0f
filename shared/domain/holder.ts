// A holder of record: one account on the register taken at the record date (RULES.md section 2).

export interface Holder {
  /** The transfer agent's account number: letters, digits, hyphens. */
  account: string;
  /** The first (or only) registered name. */
  name: string;
  /** Further joint holders (Cal. Corp. Code §704: one holder's proxy binds the account). */
  jointNames: string[];
  email: string | null;
  /** The holder consented to electronic delivery of the notice. */
  eDelivery: boolean;
  mailingAddress: string;
  /** Whole shares held of record at the record date. */
  shares: number;
  /** A broker, bank or depository (e.g. Cede & Co.) holding for beneficial owners. */
  nominee: boolean;
  /** The language of the holder's notice and e-mails (the register's optional column); absent: English. */
  language?: 'en' | 'es';
}

export const ACCOUNT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;
