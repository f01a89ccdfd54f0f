// The meeting a CDK app deploys, chosen with `-c meeting=meetings/<id>.json` and validated by the
// same zod schema the functions and the local stack use, at synth time.
import { readFileSync } from 'node:fs';
import { type Meeting, parseMeeting } from '../shared/domain/meeting.ts';

export const DEFAULT_MEETING_FILE = 'meetings/hemacare-2002.json';

/** Reads and validates the meeting file; throws InvalidInputError naming each bad field. */
export function readMeetingFile(file: string): Meeting {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the meeting file ${file} (-c meeting=...): ${(e as Error).message}`);
  }
  return parseMeeting(text, `meeting file ${file}`);
}

/** Stack names start with the product and the meeting: proxyvote-hemacare-2002-stateful. */
export function stackName(meeting: Pick<Meeting, 'id'>, part: string): string {
  return `proxyvote-${meeting.id}-${part}`;
}
