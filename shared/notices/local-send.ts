// The local stack's notice run: right after the register import, the notice of meeting goes to every
// holder who consented to e-mail, with the control number just issued, so the mail viewer holds real
// voting links. Holders without consent are counted for the paper print file.
import type { Holder } from '../domain/holder.ts';
import type { Meeting } from '../domain/meeting.ts';
import { renderNoticeEmail } from '../domain/notice.ts';
import type { Mailer } from '../mail/mailer.ts';

export async function sendNoticesNow(
  meeting: Meeting,
  holders: readonly Holder[],
  issued: ReadonlyMap<string, string>,
  ballotUrl: string,
  mailer: Mailer,
  concurrency = 16,
): Promise<{ emailed: number; paper: number }> {
  const byEmail = holders.filter((h) => issued.has(h.account) && h.eDelivery && h.email);
  const paper = holders.filter((h) => issued.has(h.account)).length - byEmail.length;
  const queue = [...byEmail];
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let h = queue.shift(); h; h = queue.shift()) {
        const email = renderNoticeEmail({
          meeting,
          holder: h,
          controlNumber: issued.get(h.account) as string,
          ballotUrl,
        });
        await mailer.send(h.email as string, email, { kind: 'notice' });
      }
    }),
  );
  return { emailed: byEmail.length, paper };
}
