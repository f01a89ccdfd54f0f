// Reading JSON answers in tests, where the shape is asserted by the test itself.
// biome-ignore lint/suspicious/noExplicitAny: a test asserts the shape of what it reads
export type Json = any;

export async function jsonOf(res: Response): Promise<Json> {
  return (await res.json()) as Json;
}
