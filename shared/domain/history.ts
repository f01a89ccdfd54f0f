// The instruction history as JSON Lines: one instruction per line, the export format of the live
// system and the input of the inspector's recount.
import { canonicalJson } from './canonical.ts';
import { type Instruction, instructionSchema } from './instruction.ts';
import { InvalidInputError } from './meeting.ts';

/** Parse JSONL text; every bad line is reported with its number and field, and nothing is returned. */
export function parseInstructionsJsonl(text: string, source = 'instruction file'): Instruction[] {
  const out: Instruction[] = [];
  const problems: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const lineNo = index + 1;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      problems.push(`line ${lineNo}: not valid JSON (${(e as Error).message})`);
      return;
    }
    const parsed = instructionSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(
          `line ${lineNo}, ${issue.path.length ? issue.path.join('.') : '(line)'}: ${issue.message}`,
        );
      }
      return;
    }
    out.push(parsed.data);
  });
  if (problems.length > 0) throw new InvalidInputError(source, problems);
  return out;
}

/** One line per instruction, keys in canonical order, in the order given. */
export function toJsonl(instructions: readonly Instruction[]): string {
  return instructions.map((i) => `${canonicalJson(i)}\n`).join('');
}
